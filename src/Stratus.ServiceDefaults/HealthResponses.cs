using Microsoft.AspNetCore.Http;

namespace Stratus.ServiceDefaults;

/// <summary>
/// The health conventions both hosts answer with (Open Inference Protocol health): liveness never depends on
/// dependencies, readiness answers 503 until the process can serve.
/// </summary>
public static class HealthResponses
{
    public sealed record Liveness(bool Live);

    public sealed record Readiness(bool Ready);

    public static Liveness Live { get; } = new(true);

    public static Readiness Ready(bool ready) => new(ready);

    public static int StatusOf(bool ready) => ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
}
