using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Stratus.Functions.Http;

/// <summary>
/// The Durable Functions check-status payload (<c>id</c>, <c>statusQueryGetUri</c>, <c>sendEventPostUri</c>,
/// <c>terminatePostUri</c>, <c>purgeHistoryDeleteUri</c> …) for a started instance. Under the Functions host the
/// extension builds it with the host's webhook address and system key; the local runner replaces this service
/// with one pointing at its own implementation of the same endpoints.
/// </summary>
public interface IDurableHttpLinks
{
    JsonElement CreatePayload(DurableTaskClient client, HttpRequest request, string instanceId);
}

public sealed class FunctionsHostDurableHttpLinks : IDurableHttpLinks
{
    private static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web);

    // The extension's payload type names its JSON keys with Newtonsoft attributes only: serialize it camelCase
    // explicitly, so the keys are the documented ones (statusQueryGetUri …), as the host itself writes them.
    public JsonElement CreatePayload(DurableTaskClient client, HttpRequest request, string instanceId)
    {
        var payload = client.CreateHttpManagementPayload(instanceId);
        return JsonSerializer.SerializeToElement(payload, payload.GetType(), CamelCase);
    }
}

public static class DurableHttpResults
{
    /// <summary>202 Accepted with the payload and a Location header pointing at the status URI, as the host does.</summary>
    public static Microsoft.AspNetCore.Mvc.IActionResult Accepted(JsonElement payload) =>
        ApiResults.Json(payload, StatusCodes.Status202Accepted, r =>
        {
            r.Headers.Location = payload.EnumerateObject().First(p => p.NameEquals("statusQueryGetUri") || p.Name.Equals("StatusQueryGetUri", StringComparison.Ordinal)).Value.GetString();
            r.Headers.RetryAfter = "5";
        });
}
