using Azure;
using Azure.Data.Tables;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;

namespace Stratus.Storage;

/// <summary>
/// Experiments on Azure Tables: partition = model, a row per experiment (row key = its name) and a marker row naming
/// the running one. Starting inserts both in one transaction, so a second start while one runs fails as a whole;
/// ending replaces the experiment under its ETag and deletes the marker in one transaction.
/// </summary>
public sealed class TableExperimentStore(StorageClients clients) : IExperimentStore
{
    /// <summary>Sorts after every valid name (names are lower-case letters, digits and hyphens).</summary>
    private const string RunningRow = "~running";

    private readonly TableClient _table = clients.Tables.GetTableClient(StorageNames.ExperimentsTable);

    public async Task<ExperimentStart> StartAsync(Experiment experiment, CancellationToken cancellationToken)
    {
        var entity = TableDocuments.Write(experiment.Model, experiment.Name, experiment);
        try
        {
            var response = await _table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, entity),
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(experiment.Model, RunningRow) { ["Name"] = experiment.Name }),
                ],
                cancellationToken);
            return new ExperimentStart(new Versioned<Experiment>(experiment, response.Value[0].Headers.ETag?.ToString() ?? ""), null, false);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // A taken name is the lasting problem, so it is the one reported when both apply.
            var taken = (await _table.GetEntityIfExistsAsync<TableEntity>(experiment.Model, experiment.Name, cancellationToken: cancellationToken)).HasValue;
            return new ExperimentStart(null, taken ? null : await RunningNameAsync(experiment.Model, cancellationToken), taken);
        }
    }

    public async Task<Versioned<Experiment>?> GetAsync(string model, string name, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(model, name, cancellationToken: cancellationToken);
        return response.HasValue ? new Versioned<Experiment>(TableDocuments.Read<Experiment>(response.Value!), response.Value!.ETag.ToString()) : null;
    }

    public async Task<IReadOnlyList<Experiment>> ListAsync(string model, CancellationToken cancellationToken)
    {
        var experiments = new List<Experiment>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == model && e.RowKey != RunningRow, cancellationToken: cancellationToken))
        {
            experiments.Add(TableDocuments.Read<Experiment>(entity));
        }

        return experiments.OrderByDescending(e => e.StartedAt).ToArray();
    }

    public async Task<Experiment?> RunningAsync(string model, CancellationToken cancellationToken) =>
        await RunningNameAsync(model, cancellationToken) is { } name ? (await GetAsync(model, name, cancellationToken))?.Value : null;

    public async Task<bool> UpdateAsync(Versioned<Experiment> current, Experiment updated, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(TableDocuments.Write(updated.Model, updated.Name, updated), new ETag(current.ETag), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<bool> EndAsync(Versioned<Experiment> current, Experiment ended, CancellationToken cancellationToken)
    {
        var entity = TableDocuments.Write(ended.Model, ended.Name, ended);
        entity.ETag = new ETag(current.ETag);
        List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateReplace, entity, entity.ETag)];
        if (current.Value.State == ExperimentState.Running)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(ended.Model, RunningRow), ETag.All));
        }

        try
        {
            await _table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    private async Task<string?> RunningNameAsync(string model, CancellationToken cancellationToken)
    {
        var marker = await _table.GetEntityIfExistsAsync<TableEntity>(model, RunningRow, cancellationToken: cancellationToken);
        return marker.HasValue ? marker.Value!.GetString("Name") : null;
    }
}
