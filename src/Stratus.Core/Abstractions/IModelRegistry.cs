using Stratus.Core.Models;

namespace Stratus.Core.Abstractions;

/// <summary>
/// Model cards and versions. Writes that race use optimistic concurrency (ETags) and retry,
/// so no update is lost; version numbers are allocated atomically.
/// </summary>
public interface IModelRegistry
{
    Task<Versioned<ModelCard>?> GetCardAsync(string name, CancellationToken cancellationToken = default);

    IAsyncEnumerable<ModelCard> ListCardsAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the card or updates its descriptive fields, keeping versions and aliases.</summary>
    /// <param name="ifMatch">When set, the update only succeeds against this ETag (412 otherwise).</param>
    Task<CardUpsertResult> UpsertCardAsync(ModelCardUpdate update, string? ifMatch = null, CancellationToken cancellationToken = default);

    /// <summary>Reserves the next version number for <paramref name="name"/>; never hands out the same number twice.</summary>
    Task<int> AllocateVersionAsync(string name, CancellationToken cancellationToken = default);

    Task AddVersionAsync(ModelVersion version, CancellationToken cancellationToken = default);

    Task<ModelVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points <paramref name="alias"/> at an existing version and records the move in the card's alias history. With
    /// <paramref name="ifMatch"/>, only while the card's ETag is still that one (else a failed precondition).
    /// </summary>
    Task<Versioned<ModelCard>> SetAliasAsync(string name, string alias, int version, string? ifMatch = null, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="alias"/>; false when it did not exist.</summary>
    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="version"/> only while it still points at <paramref name="expected"/>
    /// (null: while it is absent), under the card's ETag; false when it has moved elsewhere. Idempotent: true when it
    /// already points at <paramref name="version"/>.
    /// </summary>
    Task<bool> MoveAliasAsync(string name, string alias, int version, int? expected, CancellationToken cancellationToken = default);

    Task<bool> RemoveAliasAsync(string name, string alias, CancellationToken cancellationToken = default);

    /// <summary>Cheap round trip used by health checks.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}

public sealed record CardUpsertResult(ModelCard Card, string ETag, bool Created);
