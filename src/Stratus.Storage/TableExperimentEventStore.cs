using Azure;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Stratus.Core.Http;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;

namespace Stratus.Storage;

/// <summary>
/// Exposures and outcomes on Azure Tables, a partition per experiment (its escaped id). An exposure is a row per
/// unit, upserted (the unit's variant never changes, so a repeat writes the same row); an outcome is a row per event
/// id, inserted, so a duplicate id fails its insert and counts once however many writers race; traffic (requests
/// without a unit, each variant's calls, errors and latencies, shadows' comparisons) is a row each instance appends per
/// flush, keyed by time. Counts are therefore sums over rows, never read-modify-write.
/// </summary>
public sealed class TableExperimentEventStore(StorageClients clients) : IExperimentEventStore
{
    private const string UnitPrefix = "u:";
    private const string OutcomePrefix = "o:";
    private const string TrafficPrefix = "t:";

    /// <summary>The first key after every traffic row (':' + 1).</summary>
    private const string TrafficEnd = "t;";

    private const string TrafficColumn = "Traffic";
    private const string UnitColumn = "Unit";
    private const string IdColumn = "Id";

    /// <summary>Escaped ids up to this length are the row key as they are; longer ones (non-ASCII escapes triple) are hashed, under the 1 KiB key limit.</summary>
    private const int MaxPlainKey = 512;

    private const string TrafficKeyFormat = "yyyyMMddHHmmssfff";

    /// <summary>Entity group transactions hold at most 100 operations.</summary>
    private const int TransactionSize = 100;

    private readonly TableClient _table = clients.Tables.GetTableClient(StorageNames.ExperimentEventsTable);

    public async Task RecordTrafficAsync(string experiment, IReadOnlyList<Exposure> exposures, TrafficSlice traffic, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(experiment);
        // One operation per row in a transaction: a unit repeated in the batch is written once.
        foreach (var chunk in exposures.DistinctBy(e => e.Unit, StringComparer.Ordinal).Chunk(TransactionSize))
        {
            await _table.SubmitTransactionAsync(
                chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, UnitPrefix + Key(e.Unit)) { [UnitColumn] = e.Unit, ["Variant"] = e.Variant })),
                cancellationToken);
        }

        if (!traffic.IsEmpty)
        {
            // Time-ordered keys, so a canary's health check reads only the slices since its step began.
            var key = TrafficPrefix + traffic.At.UtcDateTime.ToString(TrafficKeyFormat, CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
            await _table.AddEntityAsync(new TableEntity(partition, key) { [TrafficColumn] = JsonSerializer.Serialize(traffic, StratusJson.Options) }, cancellationToken);
        }
    }

    public async Task<OutcomeWrite> AddOutcomesAsync(string experiment, IReadOnlyList<Outcome> outcomes, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(experiment);
        var unique = outcomes.DistinctBy(o => o.Id, StringComparer.Ordinal).ToArray();
        var accepted = 0;
        foreach (var chunk in unique.Chunk(TransactionSize))
        {
            var entities = chunk.Select(o => new TableEntity(partition, OutcomePrefix + Key(o.Id)) { [IdColumn] = o.Id, [UnitColumn] = o.Unit, ["Value"] = o.Value }).ToArray();
            try
            {
                await _table.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);
                accepted += entities.Length;
            }
            catch (TableTransactionFailedException e) when (e.Status == 409)
            {
                // Some ids were stored before (a retry, another writer): insert one by one to count exactly which.
                foreach (var entity in entities)
                {
                    accepted += await TryAddAsync(entity, cancellationToken) ? 1 : 0;
                }
            }
        }

        return new OutcomeWrite(accepted, outcomes.Count - accepted);
    }

    public async Task<ExperimentEvents> ReadAsync(string experiment, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(experiment);
        var units = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var outcomes = new List<Outcome>();
        var traffic = new List<TrafficSlice>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken))
        {
            var key = entity.RowKey;
            if (key.StartsWith(UnitPrefix, StringComparison.Ordinal))
            {
                var unit = entity.GetString(UnitColumn) ?? "";
                units[unit] = entity.GetString("Variant") ?? "";
                seen[unit] = entity.Timestamp ?? DateTimeOffset.MinValue;
            }
            else if (key.StartsWith(OutcomePrefix, StringComparison.Ordinal))
            {
                outcomes.Add(new Outcome(entity.GetString(IdColumn) ?? "", entity.GetString(UnitColumn) ?? "", entity.GetDouble("Value") ?? 0) { RecordedAt = entity.Timestamp });
            }
            else if (key.StartsWith(TrafficPrefix, StringComparison.Ordinal))
            {
                traffic.Add(Slice(entity));
            }
        }

        return new ExperimentEvents(units, outcomes, traffic) { UnitsSeenAt = seen };
    }

    public async Task<IReadOnlyList<TrafficSlice>> ReadTrafficAsync(string experiment, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(experiment);
        var from = TrafficPrefix + since.UtcDateTime.ToString(TrafficKeyFormat, CultureInfo.InvariantCulture);
        var slices = new List<TrafficSlice>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition && e.RowKey.CompareTo(from) >= 0 && e.RowKey.CompareTo(TrafficEnd) < 0, cancellationToken: cancellationToken))
        {
            slices.Add(Slice(entity));
        }

        return slices.Where(s => s.At >= since).ToArray();
    }

    private static TrafficSlice Slice(TableEntity entity) =>
        JsonSerializer.Deserialize<TrafficSlice>(entity.GetString(TrafficColumn) ?? "{}", StratusJson.Options) ?? throw new InvalidDataException($"Traffic row {entity.RowKey} is empty.");

    /// <summary>A row key for a caller's id (unit, event): escaped, or its SHA-256 when that would be too long. The id itself is a column.</summary>
    private static string Key(string id)
    {
        var escaped = TableKeys.Escape(id);
        return escaped.Length <= MaxPlainKey ? escaped : "~" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));
    }

    private async Task<bool> TryAddAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }
}
