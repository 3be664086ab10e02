using System.Collections.Concurrent;
using System.Text.Json;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Reliability.Estimation;
using Stratus.Reliability.Served;
using Stratus.Serving.Outputs;

namespace Stratus.Reliability.References;

/// <summary>What monitoring knows about one served version: how to read its rows and outputs, and its reference (null until one is stored).</summary>
public sealed class MonitoredVersion
{
    public MonitoredVersion(ModelCard card, ModelVersion record, ReferenceSet? reference, (LossModel Absolute, LossModel Squared)? lossModels = null)
    {
        LossModels = lossModels;
        Record = record;
        Columns = new FeatureColumns(record, card.FeatureNames);
        Outputs = OutputReader.For(record, reference?.Task ?? card.Task);
        Reference = reference;
        if (reference is not null)
        {
            var byName = Columns.Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
            SketchColumns = reference.Sketches.Features.Select(f => byName.GetValueOrDefault(f.Name, -1)).ToArray();
        }
    }

    /// <summary>DLE's loss models, loaded, for a regressor whose reference has them.</summary>
    public (LossModel Absolute, LossModel Squared)? LossModels { get; }


    public ModelVersion Record { get; }

    public FeatureColumns Columns { get; }

    public OutputReader Outputs { get; }

    public ReferenceSet? Reference { get; }

    /// <summary>For each reference sketch: its column in a served row, or -1 (an output, or a feature this layout lacks).</summary>
    public IReadOnlyList<int> SketchColumns { get; } = [];
}

/// <summary>
/// Monitored versions per instance, each reloaded after <see cref="RefreshAfter"/> so that a reference stored
/// through another instance is picked up; storing one through this instance takes effect at once.
/// </summary>
public sealed class MonitoredVersions(IModelRegistry registry, IArtifactStore artifacts, TimeProvider clock)
{
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<(string, int), (Task<MonitoredVersion?> Load, DateTimeOffset At)> _versions = new();

    /// <summary>
    /// Loaded DLE loss models per version, kept across refreshes while the reference stays the same (its sketches'
    /// id): a refresh re-reads the card and reference, not two ONNX models, and a replaced reference disposes the old pair.
    /// </summary>
    private readonly ConcurrentDictionary<(string, int), (string Reference, LossModel Absolute, LossModel Squared)> _lossModels = new();

    /// <summary>Null when the model or version does not exist.</summary>
    public async Task<MonitoredVersion?> GetAsync(string model, int version, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var key = (model, version);
        if (!_versions.TryGetValue(key, out var entry) || now - entry.At > RefreshAfter || entry.Load.IsFaulted)
        {
            entry = (LoadAsync(model, version, CancellationToken.None), now);
            _versions[key] = entry;
        }

        return await entry.Load.WaitAsync(cancellationToken);
    }

    public async Task SaveReferenceAsync(ReferenceSet reference, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(reference, StratusJson.Options);
        await artifacts.UploadAsync(StorageNames.ReferencePath(reference.Model, reference.Version), new MemoryStream(bytes), cancellationToken);
        _versions.TryRemove((reference.Model, reference.Version), out _);
    }

    private async Task<MonitoredVersion?> LoadAsync(string model, int version, CancellationToken cancellationToken)
    {
        var card = (await registry.GetCardAsync(model, cancellationToken))?.Value;
        var record = card is null ? null : await registry.GetVersionAsync(model, version, cancellationToken);
        if (card is null || record is null)
        {
            return null;
        }

        ReferenceSet? reference = null;
        await using (var stream = await artifacts.OpenReadAsync(StorageNames.ReferencePath(model, version), cancellationToken))
        {
            if (stream is not null)
            {
                // Only the sketches and metrics stay in memory (O(bins)); the per-row labels and outputs stay in storage.
                reference = await JsonSerializer.DeserializeAsync<ReferenceSet>(stream, StratusJson.Options, cancellationToken) is { } stored
                    ? stored with { Outputs = [], Labels = null, Values = null }
                    : null;
            }
        }

        return new MonitoredVersion(card, record, reference, await LossModelsAsync(model, version, reference, cancellationToken));
    }

    private async Task<(LossModel, LossModel)?> LossModelsAsync(string model, int version, ReferenceSet? reference, CancellationToken cancellationToken)
    {
        var key = (model, version);
        if (reference?.Estimation?.LossModels is not { } paths)
        {
            Forget(key);
            return null;
        }

        if (_lossModels.TryGetValue(key, out var kept) && kept.Reference == reference.Sketches.Id)
        {
            return (kept.Absolute, kept.Squared);
        }

        var absolute = await ReadAllAsync(paths.AbsolutePath, cancellationToken);
        var squared = await ReadAllAsync(paths.SquaredPath, cancellationToken);
        if (absolute is null || squared is null)
        {
            return null;
        }

        var loaded = (reference.Sketches.Id, new LossModel(absolute), new LossModel(squared));
        Forget(key);
        _lossModels[key] = loaded;
        return (loaded.Item2, loaded.Item3);
    }

    // The observation reader may still be scoring with a pair being replaced; it finishes within one reader batch, and
    // a disposed session throws there, which the reader logs. Replacement is rare (a new reference), so this is accepted.
    private void Forget((string, int) key)
    {
        if (_lossModels.TryRemove(key, out var old))
        {
            old.Absolute.Dispose();
            old.Squared.Dispose();
        }
    }

    private async Task<byte[]?> ReadAllAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = await artifacts.OpenReadAsync(path, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
