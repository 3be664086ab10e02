using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Stratus.Core.Abstractions;
using Stratus.Core.Http;
using Stratus.Functions.Http;

namespace Stratus.Functions.Triggers;

/// <summary>Liveness and readiness: storage and the Durable Task engine must answer.</summary>
public sealed partial class HealthFunctions(IModelRegistry registry, ILogger<HealthFunctions> logger)
{
    private const string ProbeInstanceId = "stratus-health-probe";

    [Function(nameof(Health))]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var storage = await Probe("storage", () => registry.PingAsync(timeout.Token));
        var engine = await Probe("engine", () => durable.GetInstanceAsync(ProbeInstanceId, timeout.Token));
        var healthy = storage && engine;
        return ApiResults.Json(
            new
            {
                status = healthy ? "healthy" : "unhealthy",
                checks = new { storage = State(storage), engine = State(engine) },
            },
            healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>An anonymous route says only "unavailable"; what failed, and why, goes to the log.</summary>
    private static string State(bool ok) => ok ? "ok" : "unavailable";

    private async Task<bool> Probe(string check, Func<Task> probe)
    {
        try
        {
            await probe();
            return true;
        }
        catch (Exception e)
        {
            LogCheckFailed(e, check);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} failed")]
    private partial void LogCheckFailed(Exception exception, string check);
}
