using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Errors;

namespace Stratus.Registry;

/// <summary>
/// The serving side's cached view of model cards, so the hot path does not read storage on every call.
/// A card is reused for <see cref="ServingOptions.CardCacheSeconds"/>: an alias moved on another instance
/// is seen within that time; changes made through this instance are seen at once (<see cref="Invalidate"/>).
/// </summary>
/// <remarks>
/// Refreshed ahead: past half its life, the first caller starts one background read and every caller goes on with the
/// card it has. Only a model with no card younger than its life (cold, or idle that long) makes callers wait, and then
/// for one read they share. Expiring under load had every in-flight request read storage at once, which stalled the
/// whole instance for a storage round trip each interval (the predict benchmark's p99).
/// </remarks>
public sealed class ModelCatalog(IModelRegistry registry, IOptions<StratusOptions> options, TimeProvider clock)
{
    /// <summary>How long a failed read holds back the next background refresh (callers keep the card they have).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private TimeSpan Ttl => TimeSpan.FromSeconds(Math.Max(0, options.Value.Serving.CardCacheSeconds));

    /// <summary>The card, or a not-found error when there is no such model.</summary>
    public ValueTask<ModelCard> GetCardAsync(string name, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(name, out var entry) && Volatile.Read(ref entry.Known) is { } known)
        {
            var age = clock.GetElapsedTime(known.ReadAt);
            var ttl = Ttl;
            if (age < ttl)
            {
                if (age >= ttl / 2)
                {
                    RefreshAhead(entry, name, known);
                }

                return ValueTask.FromResult(known.Card);
            }
        }

        return new ValueTask<ModelCard>(ReadAsync(name, cancellationToken));
    }

    /// <summary>
    /// Forgets the card (a change went through this instance): the next caller reads it anew. A read already under way
    /// finishes for those waiting on it but is not kept, since it belongs to the forgotten entry.
    /// </summary>
    public void Invalidate(string name) => _entries.TryRemove(name, out _);

    private async Task<ModelCard> ReadAsync(string name, CancellationToken cancellationToken)
    {
        ResourceName.Require(name, "model");
        var entry = _entries.GetOrAdd(name, static _ => new Entry());
        return await Read(entry, name).WaitAsync(cancellationToken) ?? throw RegistryErrors.ModelNotFound(name);
    }

    private Task<ModelCard?> Read(Entry entry, string name)
    {
        lock (entry)
        {
            return entry.Reading ??= StartRead(entry, name);
        }
    }

    /// <summary>
    /// One background read: not while one is under way, not when another read already replaced the card this caller
    /// saw, and not within <see cref="RetryAfterFailure"/> of a failed one. Its failure is left to the first caller past
    /// the card's life to see; until then callers are served the card they have.
    /// </summary>
    private void RefreshAhead(Entry entry, string name, Snapshot seen)
    {
        if (Volatile.Read(ref entry.Reading) is not null || clock.GetElapsedTime(Volatile.Read(ref entry.FailedAt)) < RetryAfterFailure)
        {
            return;
        }

        lock (entry)
        {
            if (entry.Reading is null && ReferenceEquals(entry.Known, seen))
            {
                entry.Reading = StartRead(entry, name);
            }
        }
    }

    /// <summary>Starts a read whose failure is observed even when every caller waiting on it gave up.</summary>
    private Task<ModelCard?> StartRead(Entry entry, string name)
    {
        var read = ReadOnceAsync(entry, name);
        read.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return read;
    }

    /// <summary>One read for all callers; not cancelled by any one of them.</summary>
    private async Task<ModelCard?> ReadOnceAsync(Entry entry, string name)
    {
        await Task.Yield(); // off the caller's lock, and off a refreshing caller's request
        var readAt = clock.GetTimestamp();
        try
        {
            var card = (await registry.GetCardAsync(name, CancellationToken.None))?.Value;
            if (card is null)
            {
                // Unknown names are not kept: callers cannot grow this cache with made-up names.
                _entries.TryRemove(KeyValuePair.Create(name, entry));
            }
            else
            {
                Volatile.Write(ref entry.Known, new Snapshot(card, readAt));
            }

            return card;
        }
        catch
        {
            Volatile.Write(ref entry.FailedAt, readAt);
            if (Volatile.Read(ref entry.Known) is null)
            {
                _entries.TryRemove(KeyValuePair.Create(name, entry)); // never read: nothing to keep, not even the name
            }

            throw;
        }
        finally
        {
            lock (entry)
            {
                entry.Reading = null;
            }
        }
    }

    private sealed class Entry
    {
        public Snapshot? Known;
        public Task<ModelCard?>? Reading;
        public long FailedAt; // when the last failed read started; 0 (long before any timestamp) when none failed
    }

    /// <summary>A card and when its read started (a change made during the read may be missing from it).</summary>
    private sealed record Snapshot(ModelCard Card, long ReadAt);
}
