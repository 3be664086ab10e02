using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Stratus.Core.Http;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;

namespace Stratus.Storage;

/// <summary>
/// The prediction log on Azure Tables: one table per UTC day (retention deletes whole tables, no scans), partition
/// <c>{model}:{bucket}</c> with the bucket a stable hash of the request id (so rows of many requests share a batch
/// transaction, and a lookup knows its partition), row <c>{request id}:{index}</c>.
/// </summary>
public sealed class TablePredictionLog(StorageClients clients, TimeProvider clock) : IPredictionLog
{
    /// <summary>Partitions per model and day: enough to spread writes, few enough that batches fill.</summary>
    public const int Buckets = 16;

    private const int BatchLimit = 100;
    private readonly ConcurrentDictionary<string, Task> _created = new(StringComparer.Ordinal);

    public async Task WriteAsync(IReadOnlyList<LoggedPrediction> entries, CancellationToken cancellationToken)
    {
        foreach (var day in entries.GroupBy(e => DateOnly.FromDateTime(e.ServedAt.UtcDateTime)))
        {
            var table = await TableAsync(day.Key, cancellationToken);
            foreach (var partition in day.GroupBy(e => Partition(e.Model, e.RequestId)))
            {
                foreach (var chunk in partition.Chunk(BatchLimit))
                {
                    // Upserts: a retried batch rewrites the same rows.
                    await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(e))), cancellationToken);
                }
            }
        }
    }

    public async Task<LoggedPrediction?> FindAsync(string model, string requestId, int index, DateOnly oldest, CancellationToken cancellationToken)
    {
        for (var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime); day >= oldest; day = day.AddDays(-1))
        {
            var table = clients.Tables.GetTableClient(StorageNames.PredictionLogTable(day));
            try
            {
                var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(model, requestId), Row(requestId, index), cancellationToken: cancellationToken);
                if (found.HasValue)
                {
                    return FromEntity(model, requestId, index, found.Value!);
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // no log that day
            }
        }

        return null;
    }

    public async Task<int> DeleteBeforeAsync(DateOnly oldestKept, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var table in clients.Tables.QueryAsync(t => t.Name.CompareTo(StorageNames.PredictionLogTablePrefix) >= 0 && t.Name.CompareTo(StorageNames.PredictionLogTablePrefix + "~") < 0, cancellationToken: cancellationToken))
        {
            if (DateOnly.TryParseExact(table.Name[StorageNames.PredictionLogTablePrefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day < oldestKept)
            {
                await clients.Tables.DeleteTableAsync(table.Name, cancellationToken);
                _created.TryRemove(table.Name, out _);
                deleted++;
            }
        }

        return deleted;
    }

    private async Task<TableClient> TableAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var name = StorageNames.PredictionLogTable(day);
        var table = clients.Tables.GetTableClient(name);
        await _created.GetOrAdd(name, _ => table.CreateIfNotExistsAsync(CancellationToken.None)).WaitAsync(cancellationToken);
        return table;
    }

    private static string Partition(string model, string requestId) => $"{model}:{TableKeys.Bucket(requestId, Buckets).ToString("D2", CultureInfo.InvariantCulture)}";

    private static string Row(string requestId, int index) => $"{TableKeys.Escape(requestId)}:{index.ToString(CultureInfo.InvariantCulture)}";

    private static TableEntity ToEntity(LoggedPrediction e) => new(Partition(e.Model, e.RequestId), Row(e.RequestId, e.Index))
    {
        ["Version"] = e.Version,
        ["Instance"] = e.Instance,
        ["ServedAt"] = e.ServedAt,
        ["Label"] = e.Label,
        ["Scores"] = e.Scores is null ? null : JsonSerializer.Serialize(e.Scores, StratusJson.Options),
        ["Value"] = e.Value,
    };

    private static LoggedPrediction FromEntity(string model, string requestId, int index, TableEntity entity) => new(
        model,
        entity.GetInt32("Version") ?? 0,
        requestId,
        index,
        entity.GetString("Instance") ?? "",
        entity.GetDateTimeOffset("ServedAt") ?? default,
        entity.GetString("Label"),
        entity.GetString("Scores") is { } scores ? JsonSerializer.Deserialize<double[]>(scores, StratusJson.Options) : null,
        entity.GetDouble("Value"));
}
