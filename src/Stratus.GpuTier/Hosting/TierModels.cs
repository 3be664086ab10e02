using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Serving;
using Stratus.Serving.Batching;
using Stratus.Serving.Onnx;

namespace Stratus.GpuTier.Hosting;

/// <summary>
/// The versions this replica has in (GPU) memory: each (model, version) is loaded once, run on zeros before it
/// serves, and given its own <see cref="DynamicBatcher"/>. A version that fails to load answers the same error for
/// <see cref="FailureBackoff"/>; beyond <see cref="TierOptions.MaxVersionsPerModel"/> the least recently used
/// version of a model is drained and unloaded.
/// </summary>
public sealed partial class TierModels(
    ModelLoader loader,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers) : IAsyncDisposable
{
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Model, int Version), Lazy<Task<ServedModel>>> _models = new();
    private readonly ILogger _logger = loggers.CreateLogger<TierModels>();

    /// <summary>The version when it is loaded and warm; null while loading, after a failure, or never asked for.</summary>
    public ServedModel? TryGetWarm(string name, int version) =>
        _models.TryGetValue((name, version), out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            ? entry.Value.Result
            : null;

    /// <summary>The warm version, loading it first if needed (concurrent callers share one load).</summary>
    public async Task<ServedModel> GetAsync(string name, int version, CancellationToken cancellationToken)
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
            // A caller error (a missing version) is forgotten at once; a broken model is kept failing for a while.
            _ = ForgetAsync(key, lazy, e is DomainException { IsCallersFault: true } ? TimeSpan.Zero : FailureBackoff);
            throw;
        }
    }

    /// <summary>Starts loading the version without waiting for it (so polling ready until true works).</summary>
    public void LoadInBackground(string name, int version) => _ = LoadInBackgroundAsync(name, version);

    private async Task LoadInBackgroundAsync(string name, int version)
    {
        try
        {
            await GetAsync(name, version, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogBackgroundLoadFailed(e, name, version);
        }
    }

    private async Task ForgetAsync((string, int) key, Lazy<Task<ServedModel>> failed, TimeSpan after)
    {
        if (after > TimeSpan.Zero)
        {
            await Task.Delay(after, clock);
        }

        _models.TryRemove(new KeyValuePair<(string, int), Lazy<Task<ServedModel>>>(key, failed));
    }

    private async Task UnloadStaleVersionsAsync(string name)
    {
        var max = Math.Max(1, options.Value.Tier.MaxVersionsPerModel);
        var stale = _models
            .Where(e => e.Key.Model == name && e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully)
            .OrderByDescending(e => e.Value.Value.Result.LastUsed)
            .Skip(max)
            .ToArray();
        foreach (var entry in stale)
        {
            if (_models.TryRemove(entry))
            {
                LogUnloading(name, entry.Key.Version, max);
                try
                {
                    await entry.Value.Value.Result.DisposeAsync(); // drains its queue first
                }
                catch (Exception e)
                {
                    LogUnloadFailed(e, name, entry.Key.Version);
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
            LogWarmUpFailed(e, name, version);
            throw DomainException.Unavailable("Model failed to warm up", $"Model '{name}' version {version} loaded but failed its warm-up run: {e.Message}", FailureBackoff);
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
            clock,
            loggers.CreateLogger<DynamicBatcher>(),
            model.OutputsFollowBatch);
        LogWarm(name, version, model.ExecutionProvider, warmUp.TotalMilliseconds, batching.MaxBatchSize, batching.MaxQueueDelayMicroseconds, model.BatchDimensionFixed);
        return new ServedModel(model, batcher, batching, warmUp);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _models.Values.Where(e => e.IsValueCreated))
        {
            try
            {
                await (await entry.Value).DisposeAsync(); // loads still in flight finish first, then drain
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogNothingToUnload(e);
            }
        }

        _models.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background load of model {Model} version {Version} failed")]
    private partial void LogBackgroundLoadFailed(Exception exception, string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloading model {Model} version {Version} (least recently used beyond {Max} versions)")]
    private partial void LogUnloading(string model, int version, int max);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unloading model {Model} version {Version} failed")]
    private partial void LogUnloadFailed(Exception exception, string model, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Warm-up of model {Model} version {Version} failed")]
    private partial void LogWarmUpFailed(Exception exception, string model, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} warm on {ExecutionProvider} in {WarmUpMs} ms (max batch {MaxBatchSize}, delay {MaxQueueDelayUs} µs, fixed batch {FixedBatch})")]
    private partial void LogWarm(string model, int version, string executionProvider, double warmUpMs, int maxBatchSize, int maxQueueDelayUs, bool fixedBatch);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A model that failed to load needs no unloading")]
    private partial void LogNothingToUnload(Exception exception);
}
