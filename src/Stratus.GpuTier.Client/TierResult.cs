using Stratus.Core.Errors;

namespace Stratus.GpuTier.Client;

/// <summary>
/// What a call to the GPU tier came to. Expected outcomes are values, not exceptions: the caller decides whether
/// "unavailable" means CPU fall-back or a 503, in one place.
/// </summary>
public abstract record TierResult
{
    private TierResult()
    {
    }

    /// <summary>The tier answered: a V2 infer body (JSON, or with the binary extension a JSON part of <paramref name="JsonLength"/> bytes, then raw outputs).</summary>
    public sealed record Served(byte[] Body, int? JsonLength) : TierResult;

    /// <summary>The tier cannot serve now (not configured, down, cold, draining, its circuit open); retrying later may work.</summary>
    public sealed record Unavailable(string Reason, TimeSpan RetryAfter) : TierResult;

    /// <summary>The tier refused the request (a caller error, a full queue, this app's identity refused): the same request elsewhere would fare no better.</summary>
    public sealed record Rejected(DomainException Error) : TierResult;
}
