using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Problems;
using Stratus.Serving.Batching;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Registry;

namespace Stratus.Serving.Tier;

/// <summary>
/// The GPU tier's models: each (model, version) is loaded once, run on zeros before it counts as ready, and
/// served through its own <see cref="DynamicBatcher"/>. The tier is ready once the preload set is warm; when
/// shutdown begins it stops being ready, refuses new work with 503 and drains what is queued.
/// </summary>
public sealed class TierModelHost(
    IModelRegistry registry,
    ModelCatalog catalog,
    ServedVersionSelector versions,
    ModelLoader loader,
    OpenInferenceService metadata,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers) : IAsyncDisposable
{
    private static readonly TimeSpan DrainingRetryAfter = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(string Model, int Version), Lazy<Task<ServedModel>>> _models = new();
    private readonly ILogger _logger = loggers.CreateLogger<TierModelHost>();
    private int _state; // Starting, Ready, Draining

    private const int Starting = 0;
    private const int Ready = 1;
    private const int Draining = 2;

    /// <summary>True once the preload set is warm, and until shutdown begins.</summary>
    public bool IsReady => Volatile.Read(ref _state) == Ready;

    /// <summary>
    /// Loads and warms the preload set (configured names, or every <c>tier: gpu</c> model), then reports ready. Until
    /// at least one of them is warm (or there are none) it stays not ready and tries again with backoff: a replica
    /// that cannot serve anything (storage unreachable, device unusable) never takes traffic.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(2);
        while (true)
        {
            var (wanted, warm) = await TryPreloadAsync(cancellationToken);
            if (wanted == 0 || warm > 0)
            {
                Interlocked.CompareExchange(ref _state, Ready, Starting);
                _logger.LogInformation("GPU tier ready with {Warm} of {Wanted} preloaded models warm", warm, wanted);
                return;
            }

            _logger.LogWarning("No preloaded model is warm yet; trying again in {DelaySeconds} s", delay.TotalSeconds);
            await Task.Delay(delay, clock, cancellationToken);
            delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
        }
    }

    private async Task<(int Wanted, int Warm)> TryPreloadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names;
        try
        {
            names = options.Value.Tier.Preload.Count > 0 ? options.Value.Tier.Preload : await GpuModelsAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogError(e, "Could not list the models to preload");
            return (1, 0);
        }

        var warm = 0;
        foreach (var name in names)
        {
            try
            {
                var card = await catalog.GetCardAsync(name, cancellationToken);
                await GetAsync(name, await versions.SelectAsync(card, null, cancellationToken), cancellationToken);
                warm++;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // One broken model must not keep the others off the air: it stays not ready and is retried on use.
                _logger.LogError(e, "Could not preload model {Model}", name);
            }
        }

        return (names.Count, warm);
    }

    /// <summary>Shutdown has begun: no longer ready, and new requests are refused so callers go elsewhere.</summary>
    public void BeginDrain()
    {
        if (Interlocked.Exchange(ref _state, Draining) != Draining)
        {
            _logger.LogInformation("GPU tier draining: refusing new requests, finishing queued ones");
        }
    }

    /// <summary>True when the version is loaded and warm; otherwise starts loading it, so polling ready until true works.</summary>
    public async Task<bool> IsModelReadyAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var card = await catalog.GetCardAsync(name, cancellationToken);
        var selected = await versions.SelectAsync(card, version, cancellationToken);
        if (_models.TryGetValue((name, selected), out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
        {
            return IsReady;
        }

        if (Volatile.Read(ref _state) != Draining)
        {
            _ = LoadInBackgroundAsync(name, selected);
        }

        return false;
    }

    private async Task LoadInBackgroundAsync(string name, int version)
    {
        try
        {
            await GetAsync(name, version, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Background load of model {Model} version {Version} failed", name, version);
        }
    }

    /// <summary>The registry's metadata plus how this tier serves the model (batching, provider, readiness).</summary>
    public async Task<V2ModelMetadata> GetMetadataAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var described = await metadata.GetMetadataAsync(name, version, cancellationToken);
        var selected = (int)described.Parameters["version"];
        // A loaded model reports the batching its batcher runs with; otherwise what it would get.
        var served = _models.TryGetValue((name, selected), out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            ? entry.Value.Result
            : null;
        var batching = served?.Batching ?? options.Value.Tier.BatchingFor(name);
        var parameters = new Dictionary<string, object>(described.Parameters)
        {
            ["dynamic_batching"] = batching.Enabled && !(bool)described.Parameters["batch_dimension_fixed"],
            ["max_batch_size"] = batching.MaxBatchSize,
            ["max_queue_delay_us"] = batching.MaxQueueDelayMicroseconds,
            ["max_queued_requests"] = batching.MaxQueuedRequests,
        };
        if (served is not null)
        {
            parameters["ready"] = IsReady;
            parameters["execution_provider"] = served.Model.ExecutionProvider;
            parameters["warm_up_ms"] = Math.Round(served.WarmUp.TotalMilliseconds, 1);
        }
        else
        {
            parameters["ready"] = false;
        }

        return described with { Parameters = parameters };
    }

    /// <param name="binary">Input bytes after the JSON header (the binary tensor extension), if any.</param>
    public async Task<V2InferenceResult> InferAsync(string name, string? version, JsonElement request, string requestId, CancellationToken cancellationToken, ReadOnlyMemory<byte> binary = default)
    {
        var started = clock.GetTimestamp();
        if (Volatile.Read(ref _state) == Draining)
        {
            throw ProblemException.ServiceUnavailable("Draining", "This GPU tier replica is shutting down; retry on another.", DrainingRetryAfter);
        }

        var card = await catalog.GetCardAsync(name, cancellationToken);
        var selected = await versions.SelectAsync(card, version, cancellationToken);
        var served = await GetAsync(name, selected, cancellationToken);
        served.Touch();
        var parsed = V2RequestParser.Parse(request, served.Model, anyBatch: true, binary);
        var outputs = await served.Batcher.InferAsync(parsed.Inputs, cancellationToken);
        if (parsed.RequestedOutputs is { } requested)
        {
            outputs = requested.Select(n => outputs.First(o => o.Name == n)).ToArray();
        }

        var rows = parsed.Inputs.Count > 0 && parsed.Inputs[0].Shape.Length > 0 ? (int)parsed.Inputs[0].Shape[0] : 1;
        telemetry.RecordPrediction(name, selected, "v2-tier", rows, clock.GetElapsedTime(started));
        return new V2InferenceResult(name, selected, parsed.Id ?? requestId, outputs, parsed.BinaryOutputs);
    }

    private async Task<ServedModel> GetAsync(string name, int version, CancellationToken cancellationToken)
    {
        var key = (name, version);
        var created = false;
        var lazy = _models.GetOrAdd(key, k =>
        {
            created = true;
            return new Lazy<Task<ServedModel>>(() => LoadAndWarmAsync(k.Model, k.Version));
        });
        try
        {
            var served = await lazy.Value.WaitAsync(cancellationToken);
            if (created)
            {
                _ = UnloadStaleVersionsAsync(name); // in the background: this caller does not wait for another version's drain
            }

            return served;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && lazy.Value.IsFaulted)
        {
            // A model that failed to load or warm is not retried by every request: callers get the same error for
            // a while (a caller error such as a missing version is forgotten at once).
            _ = ForgetAsync(key, lazy, e is ProblemException { Status: < 500 } ? TimeSpan.Zero : FailureBackoff);
            throw;
        }
    }

    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(30);

    private async Task ForgetAsync((string, int) key, Lazy<Task<ServedModel>> failed, TimeSpan after)
    {
        if (after > TimeSpan.Zero)
        {
            await Task.Delay(after, clock);
        }

        _models.TryRemove(new KeyValuePair<(string, int), Lazy<Task<ServedModel>>>(key, failed));
    }

    /// <summary>Keeps at most <see cref="TierOptions.MaxVersionsPerModel"/> versions of a model in (GPU) memory.</summary>
    private async Task UnloadStaleVersionsAsync(string name)
    {
        var loaded = _models
            .Where(e => e.Key.Model == name && e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully)
            .OrderByDescending(e => e.Value.Value.Result.LastUsed)
            .Skip(Math.Max(1, options.Value.Tier.MaxVersionsPerModel))
            .ToArray();
        foreach (var stale in loaded)
        {
            if (_models.TryRemove(stale))
            {
                _logger.LogInformation("Unloading model {Model} version {Version} (least recently used beyond {Max} versions)", name, stale.Key.Version, options.Value.Tier.MaxVersionsPerModel);
                try
                {
                    await stale.Value.Value.Result.DisposeAsync(); // drains its queue first
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Unloading model {Model} version {Version} failed", name, stale.Key.Version);
                }
            }
        }
    }

    private async Task<ServedModel> LoadAndWarmAsync(string name, int version)
    {
        var model = await loader.LoadAsync(name, version, CancellationToken.None);
        var batching = options.Value.Tier.BatchingFor(name);
        var started = clock.GetTimestamp();
        try
        {
            // Once at batch 1, and once at the largest batch so the provider allocates (and tunes) for it up front.
            model.Run(WarmUpInputs.Create(model, 1));
            if (batching.Enabled && !model.BatchDimensionFixed && batching.MaxBatchSize > 1)
            {
                model.Run(WarmUpInputs.Create(model, batching.MaxBatchSize));
            }
        }
        catch (Exception e)
        {
            model.Dispose();
            _logger.LogError(e, "Warm-up of model {Model} version {Version} failed", name, version);
            throw new ProblemException(500, "Model failed to warm up", $"Model '{name}' version {version} loaded but failed its warm-up run: {e.Message}");
        }

        var warmUp = clock.GetElapsedTime(started);
        var batcher = new DynamicBatcher(
            inputs =>
            {
                telemetry.RecordBatch(name, inputs.Count > 0 && inputs[0].Shape.Length > 0 ? (int)inputs[0].Shape[0] : 1);
                return model.Run(inputs);
            },
            model.BatchDimensionFixed,
            batching,
            loggers.CreateLogger<DynamicBatcher>());
        _logger.LogInformation(
            "Model {Model} version {Version} warm on {ExecutionProvider} in {WarmUpMs} ms (max batch {MaxBatchSize}, delay {MaxQueueDelayUs} µs, fixed batch {FixedBatch})",
            name, version, model.ExecutionProvider, warmUp.TotalMilliseconds, batching.MaxBatchSize, batching.MaxQueueDelayMicroseconds, model.BatchDimensionFixed);
        return new ServedModel(model, batcher, batching, warmUp);
    }

    private async Task<IReadOnlyList<string>> GpuModelsAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var card in registry.ListCardsAsync(cancellationToken))
        {
            if (card.Tier == ServingTier.Gpu)
            {
                names.Add(card.Name);
            }
        }

        return names;
    }

    public async ValueTask DisposeAsync()
    {
        BeginDrain();
        foreach (var entry in _models.Values.Where(e => e.IsValueCreated))
        {
            try
            {
                await (await entry.Value).DisposeAsync(); // loads still in flight finish first, then drain
            }
            catch (Exception e)
            {
                _logger.LogDebug(e, "A model that failed to load needs no unloading");
            }
        }

        _models.Clear();
    }
}
