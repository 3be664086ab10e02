using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using Microsoft.IO;
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
/// Rows of requests with <see cref="LocatableRequestIds">generated ids</see> go to <c>{model}/{process}/{chunk}.jsonl.gz</c>,
/// which the id itself names: a second's worth of requests is one append, however many there were, and a lookup is
/// one read. Rows of requests whose ids callers chose go to <c>{model}/callers/{instance}/{hour}.jsonl.gz</c>, with one
/// index entity per request (a table per day, partition <c>{model}:{bucket}</c>) pointing at that blob.
/// </summary>
public sealed class BlobPredictionLog(StorageClients clients, TimeProvider clock) : IPredictionLog
{
    /// <summary>Index partitions per model and day.</summary>
    public const int Buckets = 16;

    private const int MaxAppendBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Encoded rows wait in pooled blocks below the large-object heap's 85,000 bytes, and the compressed copies go into
    /// pooled streams too: buffers allocated per batch lived the batch's seconds, so they were promoted and collected in
    /// the older generations (at first a full collection a second, from buffers that doubled up to an append's 4 MiB).
    /// The pool keeps up to a busy instance's few seconds of rows; beyond that blocks are left to the GC.
    /// </summary>
    private static readonly RecyclableMemoryStreamManager Streams = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 64 * 1024,
        MaximumSmallPoolFreeBytes = 32L * 1024 * 1024,
        MaximumLargePoolFreeBytes = 8L * 1024 * 1024,
    });

    /// <summary>Raw bytes per append: under an append's limit, so the compressed bytes are too, with room for one more row.</summary>
    private const int RawBytesPerAppend = MaxAppendBytes - (128 * 1024);

    private const string IndexBlob = "Blob";

    private readonly ConcurrentDictionary<string, Task> _created = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _appendable = new(StringComparer.Ordinal);

    public IPredictionLogBatch NewBatch() => new Batch();

    public async Task WriteAsync(IPredictionLogBatch batch, CancellationToken cancellationToken)
    {
        var rows = (Batch)batch;
        foreach (var (key, blob) in rows.Blobs)
        {
            var container = await ContainerAsync(key.Day, cancellationToken);
            var client = container.GetAppendBlobClient(key.Path);
            foreach (var append in blob.Appends)
            {
                await AppendAsync(client, append, cancellationToken);
            }
        }

        // The index is written after the rows it points at: a lookup never finds a pointer to nothing.
        foreach (var day in rows.Blobs.Where(b => b.Key.Indexed).SelectMany(b => b.Value.RequestIds.Select(id => (b.Key.Day, b.Value.Model, RequestId: id, b.Key.Path))).GroupBy(i => i.Day))
        {
            var table = await IndexTableAsync(day.Key, cancellationToken);
            foreach (var partition in day.GroupBy(i => Partition(i.Model, i.RequestId)))
            {
                foreach (var chunk in partition.Chunk(100))
                {
                    await table.SubmitTransactionAsync(
                        chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition.Key, TableKeys.Escape(i.RequestId)) { [IndexBlob] = i.Path })),
                        cancellationToken);
                }
            }
        }
    }

    public async Task<LoggedPrediction?> FindAsync(string model, string requestId, int index, DateOnly oldest, CancellationToken cancellationToken)
    {
        if (LocatableRequestIds.TryLocate(requestId, out var location))
        {
            return location.Day < oldest ? null : await ScanAsync(model, location.Day, LocatedPath(model, location.Process, location.Chunk), requestId, index, cancellationToken);
        }

        for (var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime); day >= oldest; day = day.AddDays(-1))
        {
            try
            {
                var pointer = await clients.Tables.GetTableClient(StorageNames.PredictionIndexTable(day))
                    .GetEntityIfExistsAsync<TableEntity>(Partition(model, requestId), TableKeys.Escape(requestId), [IndexBlob], cancellationToken);
                if (pointer.HasValue && pointer.Value!.GetString(IndexBlob) is { } path)
                {
                    return await ScanAsync(model, day, path, requestId, index, cancellationToken);
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
                _appendable.Clear();
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

    private static string LocatedPath(string model, string process, long chunk) =>
        $"{model}/{process}/{chunk.ToString("x", CultureInfo.InvariantCulture)}.jsonl.gz";

    /// <summary>
    /// Rows as compact JSON lines (<c>r</c> request id, <c>i</c> row, <c>v</c> version, <c>t</c> Unix ms, <c>n</c>
    /// instance, <c>l</c> label, <c>s</c> scores, <c>x</c> value; the model is the blob's folder), encoded as they are
    /// added and grouped by the blob they go to, in blocks of at most 4 MiB (an append's limit). Holding bytes rather
    /// than row objects keeps a second's worth of a busy instance's rows out of the older GC generations.
    /// </summary>
    private sealed class Batch : IPredictionLogBatch
    {
        private readonly Utf8JsonWriter _writer = new(Stream.Null);
        private string? _lastRequest;
        private (DateOnly Day, string Process, long Number)? _lastChunk;
        private BlobRows? _last;

        public Dictionary<BlobKey, BlobRows> Blobs { get; } = [];

        public int Rows { get; private set; }

        public long Bytes { get; private set; }

        public void Add(LoggedPrediction entry)
        {
            // Rows of one request arrive together: locate the request once, and find its blob again without building
            // its path while requests keep landing in the same chunk (thousands in a row at load).
            if (_last is null || _lastRequest != entry.RequestId || _last.Model != entry.Model)
            {
                if (_last is not null && _last.Model == entry.Model && _lastChunk is { } chunk
                    && LocatableRequestIds.TryLocate(entry.RequestId, out var day, out var process, out var number)
                    && day == chunk.Day && number == chunk.Number && process.SequenceEqual(chunk.Process))
                {
                    _lastRequest = entry.RequestId;
                }
                else
                {
                    Open(entry);
                }
            }

            Encode(entry);
        }

        private void Open(LoggedPrediction entry)
        {
            var located = LocatableRequestIds.TryLocate(entry.RequestId, out var location);
            var key = located
                ? new BlobKey(location.Day, LocatedPath(entry.Model, location.Process, location.Chunk), false)
                : new BlobKey(DateOnly.FromDateTime(entry.ServedAt.UtcDateTime), $"{entry.Model}/callers/{entry.Instance}/{entry.ServedAt.UtcDateTime:HH}.jsonl.gz", true);
            if (!Blobs.TryGetValue(key, out _last))
            {
                Blobs[key] = _last = new BlobRows(entry.Model);
            }

            _lastRequest = entry.RequestId;
            _lastChunk = located ? (location.Day, location.Process, location.Chunk) : null;
            if (key.Indexed)
            {
                _last.RequestIds.Add(entry.RequestId);
            }
        }

        private void Encode(LoggedPrediction entry)
        {
            // Rows are never split across appends: a failed append loses whole rows, and what was appended reads back.
            var block = _last!.Appends[^1];
            if (block.Length >= RawBytesPerAppend)
            {
                _last.Appends.Add(block = Streams.GetStream());
            }

            var before = block.Length;
            _writer.Reset((IBufferWriter<byte>)block);
            _writer.WriteStartObject();
            _writer.WriteString("r", entry.RequestId);
            _writer.WriteNumber("i", entry.Index);
            _writer.WriteNumber("v", entry.Version);
            _writer.WriteNumber("t", entry.ServedAt.ToUnixTimeMilliseconds());
            _writer.WriteString("n", entry.Instance);
            if (entry.Label is { } label)
            {
                _writer.WriteString("l", label);
            }

            if (entry.Scores is { } scores)
            {
                _writer.WriteStartArray("s");
                for (var c = 0; c < scores.Count; c++)
                {
                    _writer.WriteNumberValue((float)scores[c]);
                }

                _writer.WriteEndArray();
            }

            if (entry.Value is { } value)
            {
                _writer.WriteNumber("x", value);
            }

            _writer.WriteEndObject();
            _writer.Flush();
            block.Write("\n"u8);
            Rows++;
            Bytes += block.Length - before;
        }

        public void Dispose()
        {
            _writer.Dispose();
            foreach (var append in Blobs.Values.SelectMany(b => b.Appends))
            {
                append.Dispose();
            }
        }
    }

    private sealed class BlobRows(string model)
    {
        public string Model { get; } = model;

        /// <summary>The rows of one append each, in order; every stream is returned to the pool when the batch is disposed.</summary>
        public List<RecyclableMemoryStream> Appends { get; } = [Streams.GetStream()];

        public HashSet<string> RequestIds { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// Appends a block, creating the blob on first use only: at full load every storage request counts (the emulator
    /// spends milliseconds of CPU on each), so a known blob is appended to without asking whether it exists.
    /// </summary>
    private async Task AppendAsync(AppendBlobClient client, RecyclableMemoryStream block, CancellationToken cancellationToken)
    {
        if (!_appendable.ContainsKey(client.Uri.AbsoluteUri))
        {
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _appendable[client.Uri.AbsoluteUri] = true;
        }

        try
        {
            using var content = Compress(block);
            await client.AppendBlockAsync(content, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted meanwhile (retention): create it again once.
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            using var content = Compress(block);
            await client.AppendBlockAsync(content, cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Each append is its own gzip member (a blob of them reads back as one gzip stream): the lines compress about
    /// sixfold, and at full load the bytes storage handles are most of what logging costs.
    /// </summary>
    private static RecyclableMemoryStream Compress(RecyclableMemoryStream rows)
    {
        var compressed = Streams.GetStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            rows.WriteTo(gzip);
        }

        compressed.Position = 0;
        return compressed;
    }

    private static LoggedPrediction Read(string model, JsonElement line) => new(
        model,
        line.GetProperty("v").GetInt32(),
        line.GetProperty("r").GetString()!,
        line.GetProperty("i").GetInt32(),
        line.GetProperty("n").GetString()!,
        DateTimeOffset.FromUnixTimeMilliseconds(line.GetProperty("t").GetInt64()),
        line.TryGetProperty("l", out var label) ? label.GetString() : null,
        line.TryGetProperty("s", out var scores) ? scores.EnumerateArray().Select(s => s.GetDouble()).ToArray() : null,
        line.TryGetProperty("x", out var value) ? value.GetDouble() : null);

    private async Task<LoggedPrediction?> ScanAsync(string model, DateOnly day, string path, string requestId, int index, CancellationToken cancellationToken)
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
            using var reader = new StreamReader(new GZipStream(content, CompressionMode.Decompress), Encoding.UTF8);
            var quoted = JsonSerializer.Serialize(requestId, StratusJson.Options);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                // Most lines are other requests: compare text before parsing.
                if (line.Contains(quoted, StringComparison.Ordinal))
                {
                    using var parsed = JsonDocument.Parse(line);
                    var entry = Read(model, parsed.RootElement);
                    if (entry.RequestId == requestId && entry.Index == index)
                    {
                        return entry;
                    }
                }
            }
        }

        return null;
    }

    private async Task<BlobContainerClient> ContainerAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var container = clients.Blobs.GetBlobContainerClient(StorageNames.PredictionLogContainer(day));
        await EnsureAsync(container.Name, () => container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None), cancellationToken);
        return container;
    }

    private async Task<TableClient> IndexTableAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = clients.Tables.GetTableClient(StorageNames.PredictionIndexTable(day));
        await EnsureAsync(table.Name, () => table.CreateIfNotExistsAsync(CancellationToken.None), cancellationToken);
        return table;
    }

    /// <summary>Creates a container or table once per process; a failed creation is forgotten so the next write tries again.</summary>
    private async Task EnsureAsync(string name, Func<Task> create, CancellationToken cancellationToken)
    {
        var creating = _created.GetOrAdd(name, _ => create());
        try
        {
            await creating.WaitAsync(cancellationToken);
        }
        catch (Exception) when (creating.IsFaulted)
        {
            _created.TryRemove(KeyValuePair.Create(name, creating));
            throw;
        }
    }

    private static string Partition(string model, string requestId) =>
        $"{model}:{TableKeys.Bucket(requestId, Buckets).ToString("D2", CultureInfo.InvariantCulture)}";

    private static DateOnly? DayOf(string name, string prefix) =>
        DateOnly.TryParseExact(name[prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
