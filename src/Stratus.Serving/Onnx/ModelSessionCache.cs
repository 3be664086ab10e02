using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;

namespace Stratus.Serving.Onnx;

/// <summary>
/// ONNX Runtime sessions per (model, version): each is loaded once even when many first requests race
/// (one shared load task), and the least recently used are evicted to make room for a new one, so the estimated
/// memory (artifact plus <see cref="ServingOptions.SessionOverheadBytes"/> per session) stays within
/// <see cref="ServingOptions.SessionCacheBytes"/> — unless a single model exceeds it, or more sessions finish loading at
/// once than it holds (sessions still loading are never evicted). A session evicted while requests still use it is
/// disposed when the last lease is returned.
/// </summary>
public sealed class ModelSessionCache(IOptions<StratusOptions> options, ServingTelemetry telemetry, TimeProvider clock, ILogger<ModelSessionCache> logger) : IDisposable
{
    private readonly ConcurrentDictionary<(string Model, int Version), Lazy<Task<Entry>>> _entries = new();
    private readonly Lock _evictionLock = new();
    private long _bytes;

    public long CachedBytes => Interlocked.Read(ref _bytes);

    public int Count => _entries.Count;

    /// <summary>True when the version's session is loaded (not merely being loaded).</summary>
    public bool IsLoaded(string model, int version) =>
        _entries.TryGetValue((model, version), out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully;

    /// <summary>Returns a lease on the loaded model; dispose it when the call is done.</summary>
    public async ValueTask<ModelLease> AcquireAsync(string model, int version, Func<CancellationToken, Task<LoadedModel>> load, CancellationToken cancellationToken)
    {
        var key = (model, version);

        // Hot path: already loaded; no allocation.
        if (_entries.TryGetValue(key, out var cached) && cached.IsValueCreated && cached.Value.IsCompletedSuccessfully && cached.Value.Result.TryAcquire())
        {
            telemetry.RecordCacheLookup(model, hit: true);
            return new ModelLease(cached.Value.Result);
        }

        while (true)
        {
            var created = false;
            var lazy = _entries.GetOrAdd(key, _ =>
            {
                created = true;
                return new Lazy<Task<Entry>>(() => LoadAsync(key, load), LazyThreadSafetyMode.ExecutionAndPublication);
            });

            Entry entry;
            try
            {
                entry = await lazy.Value.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _entries.TryRemove(new KeyValuePair<(string, int), Lazy<Task<Entry>>>(key, lazy));
                throw;
            }

            if (entry.TryAcquire())
            {
                telemetry.RecordCacheLookup(model, hit: !created);
                return new ModelLease(entry);
            }

            // Evicted between lookup and acquire: load again.
        }
    }

    private async Task<Entry> LoadAsync((string Model, int Version) key, Func<CancellationToken, Task<LoadedModel>> load)
    {
        var started = clock.GetTimestamp();
        var model = await load(CancellationToken.None).ConfigureAwait(false);
        var entry = new Entry(model, model.SizeBytes + options.Value.Serving.SessionOverheadBytes);
        AddWithin(key, entry);
        logger.LogInformation(
            "Loaded model {Model} version {Version} ({SizeBytes} bytes) in {ElapsedMs} ms",
            key.Model, key.Version, model.SizeBytes, clock.GetElapsedTime(started).TotalMilliseconds);
        return entry;
    }

    /// <summary>Evicts least recently used sessions until <paramref name="entry"/> fits the budget, then counts it.</summary>
    private void AddWithin((string Model, int Version) key, Entry entry)
    {
        var budget = options.Value.Serving.SessionCacheBytes;
        lock (_evictionLock)
        {
            while (Interlocked.Read(ref _bytes) + entry.Bytes > budget)
            {
                var victim = _entries
                    .Where(e => e.Key != key && e.Value.IsValueCreated && e.Value.Value.IsCompletedSuccessfully)
                    .Select(e => (e.Key, Entry: e.Value.Value.Result))
                    .OrderBy(e => e.Entry.LastUsed)
                    .FirstOrDefault();
                if (victim.Entry is null)
                {
                    break; // nothing else is cached: a model that alone exceeds the budget is still served
                }

                _entries.TryRemove(victim.Key, out _);
                Interlocked.Add(ref _bytes, -victim.Entry.Bytes);
                victim.Entry.Evict();
                telemetry.RecordEviction(victim.Key.Model);
                logger.LogInformation("Evicted model {Model} version {Version} from the session cache", victim.Key.Model, victim.Key.Version);
            }

            Interlocked.Add(ref _bytes, entry.Bytes);
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _entries.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                lazy.Value.Result.Evict();
            }
        }

        _entries.Clear();
    }

    /// <summary>A cached model with a reference count, so eviction never disposes a session in use.</summary>
    internal sealed class Entry(LoadedModel model, long bytes)
    {
        // A logical clock rather than wall time: exact recency order even for uses within one millisecond.
        private static long s_clock;
        private int _leases;
        private bool _evicted;

        public LoadedModel Model { get; } = model;

        /// <summary>What the entry counts against the budget.</summary>
        public long Bytes { get; } = bytes;

        private readonly object _gate = new();

        public long LastUsed { get; private set; } = Interlocked.Increment(ref s_clock);

        public bool TryAcquire()
        {
            lock (_gate)
            {
                if (_evicted)
                {
                    return false;
                }

                _leases++;
                LastUsed = Interlocked.Increment(ref s_clock);
                return true;
            }
        }

        public void Release()
        {
            lock (_gate)
            {
                if (--_leases == 0 && _evicted)
                {
                    Model.Dispose();
                }
            }
        }

        public void Evict()
        {
            lock (_gate)
            {
                _evicted = true;
                if (_leases == 0)
                {
                    Model.Dispose();
                }
            }
        }
    }
}

/// <summary>Use of a cached model for one call.</summary>
public readonly struct ModelLease : IDisposable
{
    private readonly ModelSessionCache.Entry _entry;

    internal ModelLease(ModelSessionCache.Entry entry) => _entry = entry;

    public LoadedModel Model => _entry.Model;

    public void Dispose() => _entry?.Release();
}
