using Microsoft.AspNetCore.Http;

namespace Stratus.ServiceDefaults;

/// <summary>
/// The health conventions both hosts answer with (Open Inference Protocol health): liveness never depends on
/// dependencies, readiness answers 503 until the process can serve.
/// </summary>
public static class HealthResponses
{
    public sealed record Liveness(bool Live);

    /// <param name="WaitingFor">While not ready: what start-up is still doing.</param>
    public sealed record Readiness(bool Ready, string? WaitingFor = null);

    public static Liveness Live { get; } = new(true);

    public static Readiness Ready(bool ready, string? waitingFor = null) => new(ready, waitingFor);

    public static int StatusOf(bool ready) => ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
}
