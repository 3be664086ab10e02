using Stratus.Core.Monitoring;

namespace Stratus.Tests.Unit;

public sealed class WindowCountsTests
{
    [Fact]
    public void Adding_windows_sums_rows_bins_and_missing_and_keeps_features_present_in_either()
    {
        var a = new WindowCounts { Rows = 2, Bins = new Dictionary<string, long[]> { ["x"] = [1, 1] }, Missing = new Dictionary<string, long> { ["x"] = 1 } };
        var b = new WindowCounts { Rows = 3, Bins = new Dictionary<string, long[]> { ["x"] = [2, 1], ["y"] = [3] }, Missing = new Dictionary<string, long> { ["y"] = 4 } };

        var sum = a.Plus(b);

        Assert.Equal(5, sum.Rows);
        Assert.Equal([3L, 2], sum.Bins["x"]);
        Assert.Equal([3L], sum.Bins["y"]);
        Assert.Equal((1L, 4L), (sum.Missing["x"], sum.Missing["y"]));
        Assert.Equal([1L, 1], a.Bins["x"]); // the operands are left as they were
    }

    [Fact]
    public void Windows_binned_over_different_references_do_not_add()
    {
        var a = new WindowCounts { Bins = new Dictionary<string, long[]> { ["x"] = [1, 1] } };
        var b = new WindowCounts { Bins = new Dictionary<string, long[]> { ["x"] = [1, 1, 1] } };

        Assert.Throws<InvalidOperationException>(() => a.Plus(b));
    }
}
