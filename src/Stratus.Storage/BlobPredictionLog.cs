using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Monitoring;

namespace Stratus.Storage;

/// <summary>
/// The prediction log as JSON lines in append blobs, one container per UTC day (retention deletes containers).
/// Rows of requests with <see cref="LocatableRequestIds">generated ids</see> go to <c>{model}/{process}/{chunk}.jsonl</c>,
/// which the id itself names: a second's worth of requests is one append, however many there were, and a lookup is
/// one read. Rows of requests whose ids callers chose go to <c>{model}/callers/{instance}/{hour}.jsonl</c>, with one
/// index entity per request (a table per day, partition <c>{model}:{bucket}</c>) pointing at that blob.
/// </summary>
public sealed class BlobPredictionLog(StorageClients clients, TimeProvider clock) : IPredictionLog
{
    /// <summary>Index partitions per model and day.</summary>
    public const int Buckets = 16;

    private const int MaxAppendBytes = 4 * 1024 * 1024;
    private const string IndexBlob = "Blob";

    private readonly ConcurrentDictionary<string, Task> _created = new(StringComparer.Ordinal);

    public async Task WriteAsync(IReadOnlyList<LoggedPrediction> entries, CancellationToken cancellationToken)
    {
        var index = new List<(DateOnly Day, string Model, string RequestId, string Blob)>();
        foreach (var blob in entries.GroupBy(Locate))
        {
            var container = await ContainerAsync(blob.Key.Day, cancellationToken);
            var client = container.GetAppendBlobClient(blob.Key.Path);
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            foreach (var block in Blocks(blob))
            {
                using var content = new MemoryStream(block);
                await client.AppendBlockAsync(content, cancellationToken: cancellationToken);
            }

            if (blob.Key.Indexed)
            {
                index.AddRange(blob.Select(e => e.RequestId).Distinct(StringComparer.Ordinal).Select(id => (blob.Key.Day, blob.First().Model, id, blob.Key.Path)));
            }
        }

        // The index is written after the rows it points at: a lookup never finds a pointer to nothing.
        foreach (var day in index.GroupBy(i => i.Day))
        {
            var table = await IndexTableAsync(day.Key, cancellationToken);
            foreach (var partition in day.GroupBy(i => Partition(i.Model, i.RequestId)))
            {
                foreach (var chunk in partition.Chunk(100))
                {
                    await table.SubmitTransactionAsync(
                        chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition.Key, TableKeys.Escape(i.RequestId)) { [IndexBlob] = i.Blob })),
                        cancellationToken);
                }
            }
        }
    }

    public async Task<LoggedPrediction?> FindAsync(string model, string requestId, int index, DateOnly oldest, CancellationToken cancellationToken)
    {
        if (LocatableRequestIds.TryLocate(requestId, out var location))
        {
            return location.Day < oldest ? null : await ScanAsync(location.Day, LocatedPath(model, location.Process, location.Chunk), requestId, index, cancellationToken);
        }

        for (var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime); day >= oldest; day = day.AddDays(-1))
        {
            try
            {
                var pointer = await clients.Tables.GetTableClient(StorageNames.PredictionIndexTable(day))
                    .GetEntityIfExistsAsync<TableEntity>(Partition(model, requestId), TableKeys.Escape(requestId), [IndexBlob], cancellationToken);
                if (pointer.HasValue && pointer.Value!.GetString(IndexBlob) is { } path)
                {
                    return await ScanAsync(day, path, requestId, index, cancellationToken);
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // no index that day
            }
        }

        return null;
    }

    public async Task<int> DeleteBeforeAsync(DateOnly oldestKept, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var container in clients.Blobs.GetBlobContainersAsync(prefix: StorageNames.PredictionLogContainerPrefix, cancellationToken: cancellationToken))
        {
            if (DayOf(container.Name, StorageNames.PredictionLogContainerPrefix) is { } day && day < oldestKept)
            {
                await clients.Blobs.DeleteBlobContainerAsync(container.Name, cancellationToken: cancellationToken);
                _created.TryRemove(container.Name, out _);
                deleted++;
            }
        }

        var prefix = StorageNames.PredictionIndexTablePrefix;
        await foreach (var table in clients.Tables.QueryAsync(t => t.Name.CompareTo(prefix) >= 0 && t.Name.CompareTo(prefix + "~") < 0, cancellationToken: cancellationToken))
        {
            if (DayOf(table.Name, prefix) is { } day && day < oldestKept)
            {
                await clients.Tables.DeleteTableAsync(table.Name, cancellationToken);
                _created.TryRemove(table.Name, out _);
            }
        }

        return deleted;
    }

    private readonly record struct BlobKey(DateOnly Day, string Path, bool Indexed);

    private static BlobKey Locate(LoggedPrediction entry) =>
        LocatableRequestIds.TryLocate(entry.RequestId, out var location)
            ? new BlobKey(location.Day, LocatedPath(entry.Model, location.Process, location.Chunk), false)
            : new BlobKey(DateOnly.FromDateTime(entry.ServedAt.UtcDateTime), $"{entry.Model}/callers/{entry.Instance}/{entry.ServedAt.UtcDateTime:HH}.jsonl", true);

    private static string LocatedPath(string model, string process, long chunk) =>
        $"{model}/{process}/{chunk.ToString("x", CultureInfo.InvariantCulture)}.jsonl";

    /// <summary>The entries as JSON lines, in appends of at most 4 MiB (an append block's limit).</summary>
    private static IEnumerable<byte[]> Blocks(IEnumerable<LoggedPrediction> entries)
    {
        var block = new MemoryStream();
        foreach (var entry in entries)
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(entry, StratusJson.Options);
            if (block.Length + line.Length + 1 > MaxAppendBytes && block.Length > 0)
            {
                yield return block.ToArray();
                block.SetLength(0);
            }

            block.Write(line);
            block.WriteByte((byte)'\n');
        }

        if (block.Length > 0)
        {
            yield return block.ToArray();
        }
    }

    private async Task<LoggedPrediction?> ScanAsync(DateOnly day, string path, string requestId, int index, CancellationToken cancellationToken)
    {
        Stream content;
        try
        {
            content = (await clients.Blobs.GetBlobContainerClient(StorageNames.PredictionLogContainer(day)).GetBlobClient(path).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        await using (content)
        {
            using var reader = new StreamReader(content, Encoding.UTF8);
            var quoted = JsonSerializer.Serialize(requestId, StratusJson.Options);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                // Most lines are other requests: compare text before parsing.
                if (line.Contains(quoted, StringComparison.Ordinal)
                    && JsonSerializer.Deserialize<LoggedPrediction>(line, StratusJson.Options) is { } entry
                    && entry.RequestId == requestId && entry.Index == index)
                {
                    return entry;
                }
            }
        }

        return null;
    }

    private async Task<BlobContainerClient> ContainerAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var container = clients.Blobs.GetBlobContainerClient(StorageNames.PredictionLogContainer(day));
        await _created.GetOrAdd(container.Name, _ => container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None)).WaitAsync(cancellationToken);
        return container;
    }

    private async Task<TableClient> IndexTableAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = clients.Tables.GetTableClient(StorageNames.PredictionIndexTable(day));
        await _created.GetOrAdd(table.Name, _ => table.CreateIfNotExistsAsync(CancellationToken.None)).WaitAsync(cancellationToken);
        return table;
    }

    private static string Partition(string model, string requestId) =>
        $"{model}:{TableKeys.Bucket(requestId, Buckets).ToString("D2", CultureInfo.InvariantCulture)}";

    private static DateOnly? DayOf(string name, string prefix) =>
        DateOnly.TryParseExact(name[prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
