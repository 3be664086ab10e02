using Azure;
using Azure.Data.Tables;
using Stratus.Core.Configuration;
using Stratus.Core.Experiments;

namespace Stratus.Storage;

/// <summary>
/// Exposures and outcomes on Azure Tables, a partition per experiment (its escaped id). An exposure is a row per
/// unit, upserted (the unit's variant never changes, so a repeat writes the same row); an outcome is a row per event
/// id, inserted, so a duplicate id fails its insert and counts once however many writers race; requests served without
/// a unit are counted in rows each flush appends. Counts are therefore sums over rows, never read-modify-write.
/// </summary>
public sealed class TableExperimentEventStore(StorageClients clients) : IExperimentEventStore
{
    private const string UnitPrefix = "u:";
    private const string OutcomePrefix = "o:";
    private const string UnassignedPrefix = "n:";

    /// <summary>Entity group transactions hold at most 100 operations.</summary>
    private const int TransactionSize = 100;

    private readonly TableClient _table = clients.Tables.GetTableClient(StorageNames.ExperimentEventsTable);

    public async Task RecordExposuresAsync(string experiment, IReadOnlyList<Exposure> exposures, long unassigned, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(experiment);
        foreach (var chunk in exposures.Chunk(TransactionSize))
        {
            await _table.SubmitTransactionAsync(
                chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, UnitPrefix + TableKeys.Escape(e.Unit)) { ["Variant"] = e.Variant })),
                cancellationToken);
        }

        if (unassigned > 0)
        {
            await _table.AddEntityAsync(new TableEntity(partition, UnassignedPrefix + Guid.NewGuid().ToString("N")) { ["Count"] = unassigned }, cancellationToken);
        }
    }

    public async Task<OutcomeWrite> AddOutcomesAsync(string experiment, IReadOnlyList<Outcome> outcomes, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(experiment);
        var unique = outcomes.DistinctBy(o => o.Id, StringComparer.Ordinal).ToArray();
        var accepted = 0;
        foreach (var chunk in unique.Chunk(TransactionSize))
        {
            var entities = chunk.Select(o => new TableEntity(partition, OutcomePrefix + TableKeys.Escape(o.Id)) { ["Unit"] = o.Unit, ["Value"] = o.Value }).ToArray();
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
        var outcomes = new List<Outcome>();
        long unassigned = 0;
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken))
        {
            var key = entity.RowKey;
            if (key.StartsWith(UnitPrefix, StringComparison.Ordinal))
            {
                units[Uri.UnescapeDataString(key[UnitPrefix.Length..])] = entity.GetString("Variant") ?? "";
            }
            else if (key.StartsWith(OutcomePrefix, StringComparison.Ordinal))
            {
                outcomes.Add(new Outcome(Uri.UnescapeDataString(key[OutcomePrefix.Length..]), entity.GetString("Unit") ?? "", entity.GetDouble("Value") ?? 0));
            }
            else if (key.StartsWith(UnassignedPrefix, StringComparison.Ordinal))
            {
                unassigned += entity.GetInt64("Count") ?? 0;
            }
        }

        return new ExperimentEvents(units, outcomes, unassigned);
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
