using System.Text.Json;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Errors;
using Stratus.Functions.Http;
using Stratus.LocalRunner.Hosting;

namespace Stratus.LocalRunner.Durable;

/// <summary>
/// The part of the Durable Functions HTTP API that check-status payloads link to, served the way the Functions
/// host serves it: status (202 while running or pending, 200 once completed, failed or terminated), raise event,
/// terminate and purge. The admin key stands in for the host's system key.
/// </summary>
public static class DurableHttpEndpoints
{
    public const string Prefix = "/" + Routes.DurableInstance;

    public static void Map(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Stratus.LocalRunner.DurableHttp");
        var keys = app.Services.GetRequiredService<KeyAuthorization>();

        void Map(string method, string suffix, Func<HttpContext, DurableTaskClient, string, Task> handle) =>
            app.MapMethods(Prefix + suffix, [method], (RequestDelegate)(http => HttpPipeline.RunAsync(http, async () =>
                {
                    keys.Demand(http.Request, AuthorizationLevel.Admin);
                    var id = http.Request.RouteValues["instanceId"]!.ToString()!;
                    await handle(http, http.RequestServices.GetRequiredService<DurableTaskClient>(), id);
                }, logger)))
                .WithMetadata(new HostRouteMetadata("durable-http-api"));

        Map("GET", "", async (http, client, id) =>
        {
            var state = await client.GetInstanceAsync(id, getInputsAndOutputs: true, http.RequestAborted) ?? throw NotFound(id);
            var status = state.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended
                ? StatusCodes.Status202Accepted
                : StatusCodes.Status200OK;
            http.Response.StatusCode = status;
            if (status == StatusCodes.Status202Accepted)
            {
                http.Response.Headers.Location = http.Request.GetEncodedUrl();
                http.Response.Headers.RetryAfter = "5";
            }

            await http.Response.WriteAsJsonAsync(new
            {
                name = state.Name,
                instanceId = state.InstanceId,
                runtimeStatus = state.RuntimeStatus.ToString(),
                input = Parse(state.SerializedInput),
                customStatus = Parse(state.SerializedCustomStatus),
                output = state.RuntimeStatus == OrchestrationRuntimeStatus.Failed ? (object?)state.FailureDetails?.ErrorMessage : Parse(state.SerializedOutput),
                createdTime = state.CreatedAt,
                lastUpdatedTime = state.LastUpdatedAt,
            }, StratusJson.Options);
        });

        Map("POST", "/raiseEvent/{eventName}", async (http, client, id) =>
        {
            _ = await client.GetInstanceAsync(id, http.RequestAborted) ?? throw NotFound(id);
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            await client.RaiseEventAsync(id, http.Request.RouteValues["eventName"]!.ToString()!, body.RootElement.Clone(), http.RequestAborted);
            http.Response.StatusCode = StatusCodes.Status202Accepted;
        });

        Map("POST", "/terminate", async (http, client, id) =>
        {
            _ = await client.GetInstanceAsync(id, http.RequestAborted) ?? throw NotFound(id);
            await client.TerminateInstanceAsync(id, http.Request.Query["reason"].ToString(), http.RequestAborted);
            http.Response.StatusCode = StatusCodes.Status202Accepted;
        });

        Map("DELETE", "", async (http, client, id) =>
        {
            var result = await client.PurgeInstanceAsync(id, cancellation: http.RequestAborted);
            http.Response.StatusCode = result.PurgedInstanceCount > 0 ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
        });
    }

    private static object? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement;

    private static DomainException NotFound(string id) => DomainException.NotFound("Instance not found", $"There is no orchestration instance '{id}'.");
}

/// <summary>Check-status links pointing at this runner's <see cref="DurableHttpEndpoints"/>.</summary>
public sealed class LocalDurableHttpLinks(IConfiguration configuration) : IDurableHttpLinks
{
    public JsonElement CreatePayload(DurableTaskClient client, HttpRequest request, string instanceId)
    {
        var instance = $"{request.Scheme}://{request.Host}{DurableHttpEndpoints.Prefix.Replace("{instanceId}", Uri.EscapeDataString(instanceId), StringComparison.Ordinal)}";
        var code = "code=" + Uri.EscapeDataString(configuration[SettingNames.AdminKey] ?? "");
        return JsonSerializer.SerializeToElement(new
        {
            id = instanceId,
            statusQueryGetUri = $"{instance}?{code}",
            sendEventPostUri = $"{instance}/raiseEvent/{{eventName}}?{code}",
            terminatePostUri = $"{instance}/terminate?reason={{text}}&{code}",
            purgeHistoryDeleteUri = $"{instance}?{code}",
        });
    }
}

/// <summary>Marks runner endpoints that stand in for the Functions host's own APIs (not app functions).</summary>
public sealed record HostRouteMetadata(string Api);
