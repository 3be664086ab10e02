using System.Globalization;
using Stratus.Core.Experiments;

namespace Stratus.Experiments.Canary;

/// <summary>A step's judgement: a breach (with why), enough challenger calls to move on, or not yet.</summary>
public sealed record CanaryVerdict(bool Running, bool Breach, bool Enough, string Reason)
{
    public static CanaryVerdict Ended { get; } = new(false, false, false, "the experiment is no longer running");
}

/// <summary>
/// Judges a canary step from the calls since it began: once the challenger has the plan's minimum calls, it breaches
/// when its error rate exceeds control's by more than the allowed increase, or its p99 latency exceeds control's by
/// more than the allowed ratio; otherwise it is healthy and the ramp may move on. Latency is judged only once both
/// sides have <see cref="MinCallsForP99"/> calls: below that a p99 is one call's latency (a cold model load, a JIT
/// pause), and one slow call must not roll a healthy version back.
/// </summary>
public static class CanaryHealth
{
    public const long MinCallsForP99 = 100;

    public static CanaryVerdict Judge(CanaryPlan plan, CallStats control, CallStats challenger)
    {
        if (challenger.Calls < plan.MinRequests)
        {
            return new CanaryVerdict(true, false, false, Format($"the challenger has {challenger.Calls} of the {plan.MinRequests} calls a step needs"));
        }

        if (challenger.ErrorRate > control.ErrorRate + plan.MaxErrorRateIncrease)
        {
            return new CanaryVerdict(true, true, true, Format($"the challenger failed {challenger.ErrorRate:P1} of {challenger.Calls} calls against control's {control.ErrorRate:P1} (allowed: +{plan.MaxErrorRateIncrease:P1})"));
        }

        if (challenger.Calls >= MinCallsForP99 && control.Calls >= MinCallsForP99
            && challenger.LatencyMs(0.99) is { } p99 && control.LatencyMs(0.99) is { } controlP99 && p99 > controlP99 * plan.MaxLatencyRatio)
        {
            return new CanaryVerdict(true, true, true, Format($"the challenger's p99 latency is {p99:0.##} ms against control's {controlP99:0.##} ms (allowed: ×{plan.MaxLatencyRatio})"));
        }

        return new CanaryVerdict(true, false, true, Format($"healthy over {challenger.Calls} challenger calls: {challenger.ErrorRate:P1} errors against control's {control.ErrorRate:P1}"));
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
