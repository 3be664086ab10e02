using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;

namespace Stratus.Storage;

/// <summary>
/// Ground truth on Azure Tables: partition <c>{model}:{version}</c>, row <c>{window}:{request id}:{index}</c>. The row
/// key is fixed by the logged prediction, so a second label for the same row is an insert conflict: a duplicate,
/// decided by storage, with no read-then-write race between instances.
/// </summary>
public sealed class TableFeedbackStore(StorageClients clients) : IFeedbackStore
{
    private readonly TableClient _table = clients.Tables.GetTableClient(StorageNames.FeedbackTable);

    public async Task<bool> TryAddAsync(LabelledPrediction feedback, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        var p = feedback.Prediction;
        var row = $"{TableKeys.Window(windowStart)}:{TableKeys.Escape(p.RequestId)}:{p.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        try
        {
            await _table.AddEntityAsync(TableDocuments.Write(TableKeys.ModelVersion(p.Model, p.Version), row, feedback), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<LabelledPrediction> ReadAsync(string model, int version, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var partition = TableKeys.ModelVersion(model, version);
        var low = TableKeys.Window(from);
        var high = TableKeys.WindowsBefore(to);
        await foreach (var entity in _table.QueryAsync<TableEntity>(
            e => e.PartitionKey == partition && e.RowKey.CompareTo(low) >= 0 && e.RowKey.CompareTo(high) < 0,
            cancellationToken: cancellationToken))
        {
            yield return TableDocuments.Read<LabelledPrediction>(entity);
        }
    }
}
