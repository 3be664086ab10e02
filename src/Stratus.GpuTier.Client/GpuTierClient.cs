using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Http;

namespace Stratus.GpuTier.Client;

/// <summary>Sends Open Inference Protocol requests to the GPU tier.</summary>
public interface IGpuTierClient
{
    /// <summary>Whether the tier has the version loaded and warm; false when it is unreachable or not configured.</summary>
    Task<bool> IsModelReadyAsync(string model, int version, CancellationToken cancellationToken);

    /// <summary>Sends a V2 infer request body (UTF-8 JSON, or the binary extension's body, passed on as is).</summary>
    /// <param name="inferenceHeaderLength">With the binary tensor extension, the JSON part's length (passed on as its header).</param>
    Task<TierResult> InferAsync(string model, int version, ReadOnlyMemory<byte> request, string requestId, string? inferenceHeaderLength, CancellationToken cancellationToken);
}

/// <summary>
/// The routing function's side of the GPU tier, over an <see cref="HttpClient"/> with timeouts, one retry (inference
/// is a pure function, so repeating it is safe) and a circuit breaker. Tier trouble is reported within the timeout as
/// <see cref="TierResult.Unavailable"/>: never a hang.
/// </summary>
public sealed class GpuTierClient(HttpClient http, IHttpClientFactory clients, IOptions<StratusOptions> options) : IGpuTierClient
{
    /// <summary>A plain client for readiness probes: a warming tier's 503s must neither be retried nor trip infer's circuit.</summary>
    public const string ProbeClientName = "Stratus.GpuTier.Probe";

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan NotConfiguredRetryAfter = TimeSpan.FromSeconds(30);

    private string? BaseUrl => options.Value.GpuTier.BaseUrl is { Length: > 0 } url && !string.IsNullOrWhiteSpace(url) ? url : null;

    public async Task<bool> IsModelReadyAsync(string model, int version, CancellationToken cancellationToken)
    {
        if (BaseUrl is null)
        {
            return false;
        }

        try
        {
            using var probe = clients.CreateClient(ProbeClientName);
            using var response = await probe.GetAsync(TierUri(Routes.V2ModelVersionReady, model, version), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or Azure.Identity.AuthenticationFailedException)
        {
            return false;
        }
    }

    public async Task<TierResult> InferAsync(string model, int version, ReadOnlyMemory<byte> request, string requestId, string? inferenceHeaderLength, CancellationToken cancellationToken)
    {
        if (BaseUrl is null)
        {
            return new TierResult.Unavailable($"the GPU tier is not configured here ({OptionPaths.GpuTierBaseUrl})", NotConfiguredRetryAfter);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, TierUri(Routes.V2VersionInfer, model, version))
        {
            Content = new ReadOnlyMemoryContent(request) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        message.Headers.TryAddWithoutValidation(StratusHeaders.RequestId, requestId);
        if (!string.IsNullOrEmpty(inferenceHeaderLength))
        {
            message.Headers.TryAddWithoutValidation(StratusHeaders.InferenceHeaderContentLength, inferenceHeaderLength);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, cancellationToken);
        }
        catch (Azure.Identity.AuthenticationFailedException e)
        {
            return new TierResult.Rejected(DomainException.DependencyFailed(
                "No token for the GPU tier",
                $"This function app could not get an Entra ID token for the GPU tier ({OptionPaths.GpuTierAudience}): {e.Message.Split('\n')[0]}"));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or TimeoutRejectedException or BrokenCircuitException)
        {
            return new TierResult.Unavailable(e is BrokenCircuitException ? "its circuit is open after repeated failures" : "it did not answer in time or refused the connection", DefaultRetryAfter);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var jsonLength = response.Headers.TryGetValues(StratusHeaders.InferenceHeaderContentLength, out var values)
                    && int.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n <= body.Length
                    ? n
                    : (int?)null;
                return new TierResult.Served(body, jsonLength);
            }

            var retryAfter = response.Headers.RetryAfter?.Delta ?? DefaultRetryAfter;
            return response.StatusCode switch
            {
                HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => new TierResult.Unavailable("it is starting or not ready", retryAfter),
                HttpStatusCode.TooManyRequests => new TierResult.Rejected(DomainException.RateLimited("GPU tier busy", $"The GPU tier's queue for model '{model}' is full; retry shortly.", retryAfter)),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new TierResult.Rejected(DomainException.DependencyFailed(
                    "GPU tier refused this app",
                    $"The GPU tier answered {(int)response.StatusCode}: this function app's identity is not accepted there ({OptionPaths.GpuTierAudience} and the tier's {OptionPaths.TierAuth} must agree).")),
                HttpStatusCode.NotFound => new TierResult.Rejected(DomainException.NotFound("Not found on the GPU tier", ErrorOf(body))),
                HttpStatusCode.RequestEntityTooLarge => new TierResult.Rejected(DomainException.TooLarge(ErrorOf(body))),
                HttpStatusCode.Conflict => new TierResult.Rejected(DomainException.Conflict("Rejected by the GPU tier", ErrorOf(body))),
                >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError => new TierResult.Rejected(DomainException.Invalid("Rejected by the GPU tier", ErrorOf(body))),
                _ => new TierResult.Unavailable($"it failed ({(int)response.StatusCode})", retryAfter),
            };
        }
    }

    private Uri TierUri(string route, string model, int version) =>
        new(new Uri(BaseUrl!.TrimEnd('/') + "/"), Routes.Expand(route, ("name", model), ("version", version.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static string ErrorOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
                ? error.GetString() ?? ""
                : document.RootElement.GetRawText();
        }
        catch (JsonException)
        {
            return System.Text.Encoding.UTF8.GetString(body);
        }
    }
}
