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
public sealed class ModelCatalog(IModelRegistry registry, IOptions<StratusOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (ModelCard Card, long ExpiresAt)> _cards = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    /// <summary>The card, or a not-found error when there is no such model.</summary>
    public async ValueTask<ModelCard> GetCardAsync(string name, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        if (_cards.TryGetValue(name, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Card;
        }

        // Unknown names are not cached: callers cannot grow this cache with made-up names.
        ResourceName.Require(name, "model");
        var generation = _generations.GetValueOrDefault(name);
        var card = (await registry.GetCardAsync(name, cancellationToken))?.Value ?? throw RegistryErrors.ModelNotFound(name);

        // Cache it only if no change went through this instance while it was being read.
        if (_generations.GetValueOrDefault(name) == generation)
        {
            var ttl = TimeSpan.FromSeconds(options.Value.Serving.CardCacheSeconds);
            _cards[name] = (card, now + (long)(ttl.TotalSeconds * clock.TimestampFrequency));
            if (_generations.GetValueOrDefault(name) != generation)
            {
                _cards.TryRemove(name, out _); // invalidated while being stored
            }
        }

        return card;
    }

    public void Invalidate(string name)
    {
        _generations.AddOrUpdate(name, 1, (_, g) => g + 1);
        _cards.TryRemove(name, out _);
    }
}
