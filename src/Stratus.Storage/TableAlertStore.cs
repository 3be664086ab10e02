using Azure.Data.Tables;
using Stratus.Core.Configuration;
using Stratus.Core.Monitoring;

namespace Stratus.Storage;

/// <summary>Alerts on Azure Tables: partition = model, row = reverse time + id, so a model's alerts read newest first.</summary>
public sealed class TableAlertStore(StorageClients clients) : IAlertStore
{
    private readonly TableClient _table = clients.Tables.GetTableClient(StorageNames.AlertsTable);

    public async Task AddAsync(MonitoringAlert alert, CancellationToken cancellationToken)
    {
        var entity = TableDocuments.Write(alert.Model, $"{TableKeys.ReverseTime(alert.RaisedAt)}:{alert.Id}", alert);
        entity["RaisedAt"] = alert.RaisedAt;
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<MonitoringAlert>> ListAsync(string? model, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var alerts = new List<MonitoringAlert>();
        var query = model is null
            ? _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RaisedAt ge {since}"), cancellationToken: cancellationToken)
            : _table.QueryAsync<TableEntity>(e => e.PartitionKey == model && e.RowKey.CompareTo(TableKeys.ReverseTime(since)) <= 0, cancellationToken: cancellationToken);
        await foreach (var entity in query)
        {
            alerts.Add(TableDocuments.Read<MonitoringAlert>(entity));
        }

        return alerts.OrderByDescending(a => a.RaisedAt).ToArray();
    }
}
