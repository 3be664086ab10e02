using Stratus.Core.Monitoring;
using Stratus.Storage;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

/// <summary>Monitoring windows on a real Azurite: instances record apart, reads merge their partial windows exactly.</summary>
public sealed class MonitoringStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Ten = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static WindowCounts Counts(long rows, long[] bins, long missing = 0) => new()
    {
        Rows = rows,
        Bins = new Dictionary<string, long[]> { ["mean_radius"] = bins },
        Missing = new Dictionary<string, long> { ["mean_radius"] = missing },
    };

    [Fact]
    public async Task Two_instances_recording_the_same_window_read_back_as_the_sum_of_their_counts()
    {
        var store = new TableMonitoringStore(azurite.Clients);
        await store.WriteAsync("cancer", 1, Ten, "instance-a", Counts(6, [1, 2, 3], missing: 1), CancellationToken.None);
        await store.WriteAsync("cancer", 1, Ten, "instance-b", Counts(15, [4, 5, 6], missing: 2), CancellationToken.None);

        var merged = await store.ReadMergedAsync("cancer", 1, Ten, Ten.AddHours(1), CancellationToken.None);

        Assert.Equal(21, merged.Rows);
        Assert.Equal([5L, 7, 9], merged.Bins["mean_radius"]);
        Assert.Equal(3, merged.Missing["mean_radius"]);
    }

    [Fact]
    public async Task A_later_flush_of_cumulative_counts_replaces_the_instances_row_instead_of_adding_to_it()
    {
        var store = new TableMonitoringStore(azurite.Clients);
        await store.WriteAsync("flushes", 1, Ten, "instance-a", Counts(3, [1, 1, 1]), CancellationToken.None);
        await store.WriteAsync("flushes", 1, Ten, "instance-a", Counts(5, [2, 2, 1]), CancellationToken.None);

        var merged = await store.ReadMergedAsync("flushes", 1, Ten, Ten.AddHours(1), CancellationToken.None);

        Assert.Equal(5, merged.Rows);
        Assert.Equal([2L, 2, 1], merged.Bins["mean_radius"]);
    }

    [Fact]
    public async Task A_window_read_within_its_first_minute_is_merged()
    {
        var store = new TableMonitoringStore(azurite.Clients);
        await store.WriteAsync("first-minute", 1, Ten, "a", Counts(7, [7, 0, 0]), CancellationToken.None);

        Assert.Equal(7, (await store.ReadMergedAsync("first-minute", 1, Ten.AddHours(-24), Ten.AddSeconds(30), CancellationToken.None)).Rows);
        Assert.Equal(0, (await store.ReadMergedAsync("first-minute", 1, Ten.AddHours(-24), Ten, CancellationToken.None)).Rows);
    }

    [Fact]
    public async Task Only_windows_starting_in_the_range_and_of_that_version_are_merged()
    {
        var store = new TableMonitoringStore(azurite.Clients);
        await store.WriteAsync("ranges", 1, Ten.AddHours(-1), "a", Counts(1, [1, 0, 0]), CancellationToken.None);
        await store.WriteAsync("ranges", 1, Ten, "a", Counts(2, [0, 2, 0]), CancellationToken.None);
        await store.WriteAsync("ranges", 1, Ten.AddHours(1), "a", Counts(4, [0, 0, 4]), CancellationToken.None);
        await store.WriteAsync("ranges", 2, Ten, "a", Counts(8, [8, 0, 0]), CancellationToken.None);

        var merged = await store.ReadMergedAsync("ranges", 1, Ten, Ten.AddHours(1), CancellationToken.None);

        Assert.Equal(2, merged.Rows);
        Assert.Equal([0L, 2, 0], merged.Bins["mean_radius"]);
        Assert.Equal(0, (await store.ReadMergedAsync("ranges", 3, Ten, Ten.AddHours(1), CancellationToken.None)).Rows);
    }
}
