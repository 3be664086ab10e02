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

    /// <summary>Every read of "m" answers from <paramref name="next"/>'s current value when it completes.</summary>
    private void ReadsAnswer(Func<Task<ModelCard?>> next) =>
        _registry.Setup(r => r.GetCardAsync("m", It.IsAny<CancellationToken>())).Returns(async () =>
        {
            Interlocked.Increment(ref _reads);
            return await next() is { } card ? new Versioned<ModelCard>(card, "etag") : null;
        });

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
        var answer = Card("first");
        var gate = new TaskCompletionSource();
        ReadsAnswer(async () =>
        {
            var current = answer;
            if (_reads > 1)
            {
                await gate.Task;
            }

            return current;
        });
        await _catalog.GetCardAsync("m", CancellationToken.None);

        answer = Card("second");
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
        var answer = Card("first");
        var gate = new TaskCompletionSource();
        ReadsAnswer(async () =>
        {
            var current = answer;
            if (_reads > 1)
            {
                await gate.Task;
            }

            return current;
        });
        await _catalog.GetCardAsync("m", CancellationToken.None);

        answer = Card("second");
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
    public async Task A_failed_background_refresh_keeps_serving_the_card_until_its_life_ends_and_then_fails_the_caller()
    {
        var failing = false;
        ReadsAnswer(() => failing ? Task.FromException<ModelCard?>(new InvalidOperationException("storage down")) : Task.FromResult<ModelCard?>(Card("first")));
        await _catalog.GetCardAsync("m", CancellationToken.None);

        failing = true;
        _clock.Advance(TimeSpan.FromSeconds(CacheSeconds / 2));
        Assert.Equal("first", (await _catalog.GetCardAsync("m", CancellationToken.None)).Description);
        await WaitForReadsAsync(2);

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
