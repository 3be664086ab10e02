using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Registry;

namespace Stratus.Tests.Unit.Registry;

/// <summary>The serving side's card cache: reuse within its life, refresh ahead, shared reads, invalidation.</summary>
public sealed class ModelCatalogTests
{
    private const int CacheSeconds = 10;
    private readonly Mock<IModelRegistry> _registry = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly ModelCatalog _catalog;
    private int _reads;

    public ModelCatalogTests()
    {
        var options = new StratusOptions();
        options.Serving.CardCacheSeconds = CacheSeconds;
        _catalog = new ModelCatalog(_registry.Object, Options.Create(options), _clock);
    }

    private static ModelCard Card(string description) => new() { Name = "m", Description = description };

    /// <summary>Every read of "m" is counted, then answers what <paramref name="next"/> returns.</summary>
    private void ReadsAnswer(Func<Task<ModelCard?>> next) =>
        _registry.Setup(r => r.GetCardAsync("m", It.IsAny<CancellationToken>())).Returns(async () =>
        {
            Interlocked.Increment(ref _reads);
            return await next() is { } card ? new Versioned<ModelCard>(card, "etag") : null;
        });

    /// <summary>The first read answers <paramref name="first"/> at once; later reads answer <paramref name="then"/> when the gate opens.</summary>
    private TaskCompletionSource GateReadsAfterTheFirst(ModelCard first, ModelCard then)
    {
        var gate = new TaskCompletionSource();
        ReadsAnswer(async () =>
        {
            if (_reads == 1)
            {
                return first;
            }

            await gate.Task;
            return then;
        });
        return gate;
    }

    [Fact]
    public async Task A_card_is_read_once_and_reused_until_half_its_life()
    {
        ReadsAnswer(() => Task.FromResult<ModelCard?>(Card("first")));

        Assert.Equal("first", (await _catalog.GetCardAsync("m", CancellationToken.None)).Description);
        _clock.Advance(TimeSpan.FromSeconds(CacheSeconds / 2) - TimeSpan.FromMilliseconds(1));
        for (var i = 0; i < 5; i++)
        {
            await _catalog.GetCardAsync("m", CancellationToken.None);
        }

        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task Past_half_its_life_callers_get_the_cached_card_at_once_while_one_background_read_refreshes_it()
    {
        var gate = GateReadsAfterTheFirst(Card("first"), Card("second"));
        await _catalog.GetCardAsync("m", CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(CacheSeconds / 2));
        var whileRefreshing = new List<Task<ModelCard>>();
        for (var i = 0; i < 5; i++)
        {
            whileRefreshing.Add(_catalog.GetCardAsync("m", CancellationToken.None).AsTask());
        }

        // Answered synchronously from the cache although the refresh has not finished.
        Assert.All(whileRefreshing, call => Assert.True(call.IsCompletedSuccessfully));
        Assert.All(whileRefreshing, call => Assert.Equal("first", call.Result.Description));
        await WaitForReadsAsync(2);

        gate.SetResult();
        await WaitUntilAsync(async () => (await _catalog.GetCardAsync("m", CancellationToken.None)).Description == "second");
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task Past_its_life_concurrent_callers_wait_for_one_shared_read()
    {
        var gate = GateReadsAfterTheFirst(Card("first"), Card("second"));
        await _catalog.GetCardAsync("m", CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(CacheSeconds));
        var waiting = Enumerable.Range(0, 5).Select(_ => _catalog.GetCardAsync("m", CancellationToken.None).AsTask()).ToArray();
        await WaitForReadsAsync(2);
        Assert.All(waiting, call => Assert.False(call.IsCompleted));

        gate.SetResult();
        Assert.All(await Task.WhenAll(waiting), card => Assert.Equal("second", card.Description));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task A_read_under_way_when_the_card_is_invalidated_is_not_kept()
    {
        var first = new TaskCompletionSource<ModelCard?>();
        var second = new TaskCompletionSource<ModelCard?>();
        ReadsAnswer(() => _reads == 1 ? first.Task : second.Task);

        var before = _catalog.GetCardAsync("m", CancellationToken.None).AsTask();
        await WaitForReadsAsync(1);
        _catalog.Invalidate("m");
        var after = _catalog.GetCardAsync("m", CancellationToken.None).AsTask();
        await WaitForReadsAsync(2);

        first.SetResult(Card("before the change"));
        second.SetResult(Card("after the change"));
        Assert.Equal("before the change", (await before).Description);
        Assert.Equal("after the change", (await after).Description);
        Assert.Equal("after the change", (await _catalog.GetCardAsync("m", CancellationToken.None)).Description);
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task An_unknown_model_is_not_found_and_is_read_again_on_each_call()
    {
        ReadsAnswer(() => Task.FromResult<ModelCard?>(null));

        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<DomainException>(() => _catalog.GetCardAsync("m", CancellationToken.None).AsTask());
            Assert.Equal(ErrorKind.NotFound, error.Kind);
        }

        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task A_failed_background_refresh_keeps_serving_the_card_is_retried_after_a_second_and_fails_callers_once_the_card_is_past_its_life()
    {
        var failing = false;
        ReadsAnswer(() =>
        {
            if (!failing)
            {
                return Task.FromResult<ModelCard?>(Card("first"));
            }

            return Task.FromException<ModelCard?>(new InvalidOperationException("storage down"));
        });
        await _catalog.GetCardAsync("m", CancellationToken.None);

        failing = true;
        _clock.Advance(TimeSpan.FromSeconds(CacheSeconds / 2));
        Assert.Equal("first", (await _catalog.GetCardAsync("m", CancellationToken.None)).Description);
        await WaitForReadsAsync(2);

        // Within a second of the failure, callers are served without a new read.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("first", (await _catalog.GetCardAsync("m", CancellationToken.None)).Description);
        }

        Assert.Equal(2, _reads);
        _clock.Advance(ModelCatalog.RetryAfterFailure);
        await WaitUntilAsync(async () => (await _catalog.GetCardAsync("m", CancellationToken.None)).Description == "first" && Volatile.Read(ref _reads) == 3);

        _clock.Advance(TimeSpan.FromSeconds(CacheSeconds / 2));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _catalog.GetCardAsync("m", CancellationToken.None).AsTask());
    }

    private Task WaitForReadsAsync(int reads) => WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref _reads) >= reads));

    /// <summary>Background reads run on the thread pool: polls (without sleeping on the clock under test) until it holds.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }
}
