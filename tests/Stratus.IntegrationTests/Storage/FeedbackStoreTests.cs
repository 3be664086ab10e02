using Stratus.Core.Monitoring;
using Stratus.Storage;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

/// <summary>Ground truth on a real Azurite: one label per logged row, read back by the windows a range covers.</summary>
public sealed class FeedbackStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Ten = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static LabelledPrediction Label(string model, string requestId) =>
        new(new LoggedPrediction(model, 1, requestId, 0, "a", Ten.AddSeconds(5), "1", [0.2, 0.8], null), "1", null, Ten.AddSeconds(20));

    private static async Task<List<LabelledPrediction>> ReadAsync(TableFeedbackStore store, string model, DateTimeOffset from, DateTimeOffset to)
    {
        var labels = new List<LabelledPrediction>();
        await foreach (var label in store.ReadAsync(model, 1, from, to, CancellationToken.None))
        {
            labels.Add(label);
        }

        return labels;
    }

    [Fact]
    public async Task A_second_label_for_the_same_row_is_a_duplicate()
    {
        var store = new TableFeedbackStore(azurite.Clients);

        Assert.True(await store.TryAddAsync(Label("fb-dup", "r1"), Ten, CancellationToken.None));
        Assert.False(await store.TryAddAsync(Label("fb-dup", "r1"), Ten, CancellationToken.None));
    }

    [Fact]
    public async Task Labels_of_a_window_read_within_its_first_minute_are_read_and_a_range_ending_where_it_starts_reads_none()
    {
        var store = new TableFeedbackStore(azurite.Clients);
        await store.TryAddAsync(Label("fb-minute", "r1"), Ten, CancellationToken.None);
        await store.TryAddAsync(Label("fb-minute", "r2"), Ten, CancellationToken.None);

        var read = await ReadAsync(store, "fb-minute", Ten.AddHours(-24), Ten.AddSeconds(30));
        var before = await ReadAsync(store, "fb-minute", Ten.AddHours(-24), Ten);

        Assert.Equal(["r1", "r2"], read.Select(l => l.Prediction.RequestId).Order());
        Assert.Empty(before);
    }
}
