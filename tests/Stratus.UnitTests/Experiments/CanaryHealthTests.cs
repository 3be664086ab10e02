using Stratus.Core.Experiments;
using Stratus.Experiments.Canary;

namespace Stratus.Tests.Unit.Experiments;

/// <summary>How a canary step is judged from its calls.</summary>
public sealed class CanaryHealthTests
{
    private static readonly CanaryPlan Plan = new([0.05, 0.25, 0.5], 60, 20, 0.02, 1.5);

    private static CallStats Calls(int calls, int errors, double ms)
    {
        var stats = new CallStats();
        for (var i = 0; i < calls; i++)
        {
            stats.Record(TimeSpan.FromMilliseconds(ms), failed: i < errors);
        }

        return stats;
    }

    [Fact]
    public void A_step_with_fewer_challenger_calls_than_the_plan_needs_is_neither_healthy_nor_breached()
    {
        var verdict = CanaryHealth.Judge(Plan, Calls(500, 0, 1), Calls(19, 19, 1));

        Assert.Equal((true, false, false), (verdict.Running, verdict.Breach, verdict.Enough));
    }

    [Fact]
    public void A_challenger_error_rate_above_controls_plus_the_allowed_increase_is_a_breach()
    {
        Assert.True(CanaryHealth.Judge(Plan, Calls(100, 1, 1), Calls(100, 4, 1)).Breach);
        Assert.False(CanaryHealth.Judge(Plan, Calls(100, 1, 1), Calls(100, 3, 1)).Breach);
    }

    [Fact]
    public void A_p99_beyond_the_allowed_ratio_is_a_breach_only_once_both_sides_have_100_calls()
    {
        Assert.False(CanaryHealth.Judge(Plan, Calls(99, 0, 1), Calls(99, 0, 10)).Breach);

        var verdict = CanaryHealth.Judge(Plan, Calls(100, 0, 1), Calls(100, 0, 10));

        Assert.True(verdict.Breach);
        Assert.Contains("p99", verdict.Reason, StringComparison.Ordinal);
        Assert.False(CanaryHealth.Judge(Plan, Calls(100, 0, 1), Calls(100, 0, 1.2)).Breach);
    }
}
