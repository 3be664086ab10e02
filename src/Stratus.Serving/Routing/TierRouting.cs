using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.GpuTier.Client;

namespace Stratus.Serving.Routing;

/// <summary>The one rule for a <c>tier: gpu</c> model's call to the tier: use the answer, fall back to in-process serving, or fail.</summary>
internal static class TierRouting
{
    /// <summary>The tier's answer; null when it is unavailable and the card allows CPU fall-back. Otherwise the failure is thrown.</summary>
    public static TierResult.Served? ServedOrFallBack(ModelCard card, TierResult result) => result switch
    {
        TierResult.Served served => served,
        TierResult.Unavailable when card.CpuFallback => null,
        TierResult.Unavailable unavailable => throw DomainException.Unavailable(
            "GPU tier unavailable",
            $"Model '{card.Name}' runs on the GPU tier, which cannot serve it now: {unavailable.Reason}. Set cpuFallback on the card to serve it in-process meanwhile.",
            unavailable.RetryAfter),
        TierResult.Rejected rejected => throw rejected.Error,
        _ => throw new InvalidOperationException($"Unknown tier result {result.GetType().Name}."),
    };
}
