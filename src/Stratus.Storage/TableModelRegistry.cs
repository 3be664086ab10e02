using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Core.Errors;

namespace Stratus.Storage;

/// <summary>
/// The registry on Azure Tables. A card is one entity (partition = model name) holding its JSON document;
/// every change to it is a read-modify-write guarded by the entity's ETag and retried on 412, so concurrent
/// alias changes and version allocations never overwrite each other. Versions are one entity each, keyed by
/// a zero-padded number so they list in order.
/// </summary>
public sealed class TableModelRegistry(StorageClients clients, TimeProvider clock) : IModelRegistry
{
    private const string CardRowKey = "card";
    private const int MaxAttempts = 50;

    private readonly TableClient _cards = clients.Tables.GetTableClient(StorageNames.ModelCardsTable);
    private readonly TableClient _versions = clients.Tables.GetTableClient(StorageNames.ModelVersionsTable);

    public async Task<Versioned<ModelCard>?> GetCardAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await _cards.GetEntityIfExistsAsync<TableEntity>(name, CardRowKey, cancellationToken: cancellationToken);
        return response.HasValue ? new Versioned<ModelCard>(TableDocuments.Read<ModelCard>(response.Value!), response.Value!.ETag.ToString()) : null;
    }

    public async IAsyncEnumerable<ModelCard> ListCardsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entity in _cards.QueryAsync<TableEntity>(e => e.RowKey == CardRowKey, cancellationToken: cancellationToken))
        {
            yield return TableDocuments.Read<ModelCard>(entity);
        }
    }

    public async Task<CardUpsertResult> UpsertCardAsync(ModelCardUpdate update, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await GetCardAsync(update.Name, cancellationToken);
            if (existing is null)
            {
                if (ifMatch is not null)
                {
                    throw DomainException.PreconditionFailed($"Model '{update.Name}' does not exist, so If-Match cannot match.");
                }

                var card = update.ApplyTo(null, clock.GetUtcNow());
                try
                {
                    var added = await _cards.AddEntityAsync(TableDocuments.Write(card.Name, CardRowKey, card), cancellationToken);
                    return new CardUpsertResult(card, added.Headers.ETag?.ToString() ?? "", Created: true);
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    if (attempt >= MaxAttempts)
                    {
                        throw Busy(update.Name);
                    }

                    continue; // created concurrently: update it instead
                }
            }

            if (ifMatch is not null && ifMatch != "*" && ifMatch != existing.ETag)
            {
                throw DomainException.PreconditionFailed($"Model '{update.Name}' changed since ETag {ifMatch} (now {existing.ETag}).");
            }

            var updated = update.ApplyTo(existing.Value, clock.GetUtcNow());
            var etag = await TryReplaceAsync(updated, existing.ETag, cancellationToken);
            if (etag is not null)
            {
                return new CardUpsertResult(updated, etag, Created: false);
            }

            if (ifMatch is not null && ifMatch != "*")
            {
                throw DomainException.PreconditionFailed($"Model '{update.Name}' changed concurrently.");
            }

            if (attempt >= MaxAttempts)
            {
                throw Busy(update.Name);
            }

            await BackOffAsync(attempt, cancellationToken);
        }
    }

    public async Task<int> AllocateVersionAsync(string name, CancellationToken cancellationToken = default)
    {
        var card = await MutateCardAsync(name, c => c with { LatestVersion = c.LatestVersion + 1 }, cancellationToken);
        return card.Value.LatestVersion;
    }

    public async Task AddVersionAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        // Upsert: a redelivered write of the same version is harmless.
        await _versions.UpsertEntityAsync(TableDocuments.Write(version.Model, VersionKey(version.Version), version), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<ModelVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        var response = await _versions.GetEntityIfExistsAsync<TableEntity>(name, VersionKey(version), cancellationToken: cancellationToken);
        return response.HasValue ? TableDocuments.Read<ModelVersion>(response.Value!) : null;
    }

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        var list = new List<ModelVersion>();
        await foreach (var entity in _versions.QueryAsync<TableEntity>(e => e.PartitionKey == name, cancellationToken: cancellationToken))
        {
            list.Add(TableDocuments.Read<ModelVersion>(entity));
        }

        return list;
    }

    public async Task<Versioned<ModelCard>> SetAliasAsync(string name, string alias, int version, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        if (await GetVersionAsync(name, version, cancellationToken) is null)
        {
            throw RegistryErrors.VersionNotFound(name, version);
        }

        return await MutateCardAsync(name, c => c.Aliases.TryGetValue(alias, out var at) && at == version ? null : c.WithAlias(alias, version, clock.GetUtcNow()), cancellationToken, ifMatch);
    }

    public async Task<bool> MoveAliasAsync(string name, string alias, int version, int? expected, CancellationToken cancellationToken = default)
    {
        if (await GetVersionAsync(name, version, cancellationToken) is null)
        {
            throw RegistryErrors.VersionNotFound(name, version);
        }

        var moved = false;
        await MutateCardAsync(
            name,
            c =>
            {
                var current = c.Aliases.TryGetValue(alias, out var points) ? points : (int?)null;
                moved = current == expected || current == version; // already there: a retried call succeeds too
                return moved && current != version ? c.WithAlias(alias, version, clock.GetUtcNow()) : null;
            },
            cancellationToken);
        return moved;
    }

    public async Task<bool> RemoveAliasAsync(string name, string alias, CancellationToken cancellationToken = default)
    {
        var removed = false;
        await MutateCardAsync(
            name,
            c =>
            {
                removed = c.Aliases.ContainsKey(alias);
                return removed ? c.WithAlias(alias, null, clock.GetUtcNow()) : null;
            },
            cancellationToken);
        return removed;
    }

    public async Task PingAsync(CancellationToken cancellationToken = default) =>
        await _cards.GetEntityIfExistsAsync<TableEntity>("~health", CardRowKey, cancellationToken: cancellationToken);

    /// <summary>
    /// Read-modify-write of a card under its ETag, retried until it lands. A null from <paramref name="change"/> means
    /// "no change". With <paramref name="ifMatch"/>, the caller's ETag must be the card's: a card changed since the caller
    /// read it is a failed precondition, never retried over.
    /// </summary>
    private async Task<Versioned<ModelCard>> MutateCardAsync(string name, Func<ModelCard, ModelCard?> change, CancellationToken cancellationToken, string? ifMatch = null)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await GetCardAsync(name, cancellationToken)
                ?? throw RegistryErrors.ModelNotFound(name);
            if (ifMatch is not null && ifMatch != "*" && ifMatch != existing.ETag)
            {
                throw DomainException.PreconditionFailed($"Model '{name}' changed since ETag {ifMatch} (now {existing.ETag}).");
            }

            var changed = change(existing.Value);
            if (changed is null)
            {
                return existing;
            }

            changed = changed with { UpdatedAt = clock.GetUtcNow() };
            if (await TryReplaceAsync(changed, existing.ETag, cancellationToken) is { } etag)
            {
                return new Versioned<ModelCard>(changed, etag);
            }

            await BackOffAsync(attempt, cancellationToken);
        }

        throw Busy(name);
    }

    private static DomainException Busy(string name) =>
        DomainException.Unavailable("Registry busy", $"Model '{name}' is changing too often to update; try again.", TimeSpan.FromSeconds(1));

    private async Task<string?> TryReplaceAsync(ModelCard card, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _cards.UpdateEntityAsync(TableDocuments.Write(card.Name, CardRowKey, card), new ETag(etag), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag?.ToString() ?? "";
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return null;
        }
    }

    private Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + Math.Min(attempt, 10) * 10)), clock, cancellationToken);

    private static string VersionKey(int version) => version.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
}
