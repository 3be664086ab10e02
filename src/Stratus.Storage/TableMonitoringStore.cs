using Azure.Data.Tables;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;

namespace Stratus.Storage;

/// <summary>
/// Monitoring windows on Azure Tables: partition <c>{model}:{version}</c>, row <c>{window start, UTC yyyyMMddHHmm}:{instance}</c>,
/// so a range of windows is one partition query and every instance owns its rows (no ETag contention).
/// </summary>
public sealed class TableMonitoringStore(StorageClients clients) : IMonitoringStore
{
    private readonly TableClient _table = clients.Tables.GetTableClient(StorageNames.MonitoringTable);

    public async Task WriteAsync(string model, int version, DateTimeOffset windowStart, string instance, WindowCounts counts, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(TableDocuments.Write(Partition(model, version), Row(windowStart, instance, counts.Reference), counts), TableUpdateMode.Replace, cancellationToken);

    public async Task<WindowCounts> ReadMergedAsync(string model, int version, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken, string? reference = null)
    {
        var partition = Partition(model, version);
        var low = Window(from);
        var high = TableKeys.WindowsBefore(to);
        var merged = WindowCounts.Empty;
        // Row keys start with the window, so [from, to) is a key range: "{from}:…" sorts at or after "{from}", "{to}:…" not before "{to}".
        await foreach (var entity in _table.QueryAsync<TableEntity>(
            e => e.PartitionKey == partition && e.RowKey.CompareTo(low) >= 0 && e.RowKey.CompareTo(high) < 0,
            cancellationToken: cancellationToken))
        {
            var counts = TableDocuments.Read<WindowCounts>(entity);
            if (reference is null || counts.Reference == reference)
            {
                merged = merged.Plus(counts);
            }
        }

        return merged;
    }

    private static string Partition(string model, int version) => TableKeys.ModelVersion(model, version);

    private static string Window(DateTimeOffset start) => TableKeys.Window(start);

    /// <summary>An instance's row per window and reference: a reference replaced mid-window starts a row of its own.</summary>
    private static string Row(DateTimeOffset windowStart, string instance, string reference) =>
        reference.Length == 0 ? $"{Window(windowStart)}:{instance}" : $"{Window(windowStart)}:{instance}:{reference}";
}
