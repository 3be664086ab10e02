using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Stratus.Core.Abstractions;
using Stratus.Core.Http;
using Stratus.Functions.Http;

namespace Stratus.Functions.Triggers;

/// <summary>Liveness and readiness: storage and the Durable Task engine must answer.</summary>
public sealed class HealthFunctions(IModelRegistry registry)
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
        var storage = await Probe(() => registry.PingAsync(timeout.Token));
        var engine = await Probe(() => durable.GetInstanceAsync(ProbeInstanceId, timeout.Token));
        var healthy = storage is null && engine is null;
        return ApiResults.Json(
            new
            {
                status = healthy ? "healthy" : "unhealthy",
                checks = new { storage = storage ?? "ok", engine = engine ?? "ok" },
            },
            healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<string?> Probe(Func<Task> check)
    {
        try
        {
            await check();
            return null;
        }
        catch (Exception e)
        {
            return e.GetType().Name + ": " + e.Message.Split('\n', 2)[0];
        }
    }
}
