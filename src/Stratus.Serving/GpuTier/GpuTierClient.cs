using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Problems;

namespace Stratus.Serving.GpuTier;

/// <summary>The tier's infer answer: JSON, or with the binary tensor extension, a JSON part of <paramref name="JsonLength"/> bytes then raw outputs.</summary>
public sealed record TierAnswer(byte[] Body, int? JsonLength);

/// <summary>Sends Open Inference Protocol requests to the GPU tier.</summary>
public interface IGpuTierClient
{
    bool IsConfigured { get; }

    /// <summary>Whether the tier has the version loaded and warm; false when it is unreachable.</summary>
    Task<bool> IsModelReadyAsync(string model, int version, CancellationToken cancellationToken);

    /// <summary>Sends a V2 infer request body (UTF-8 JSON, passed on as is) and returns the tier's response body; tier trouble becomes a 503 (or the tier's own 4xx/429) problem.</summary>
    /// <param name="inferenceHeaderLength">With the binary tensor extension, the JSON part's length (passed on as its header).</param>
    Task<TierAnswer> InferAsync(string model, int version, ReadOnlyMemory<byte> request, string requestId, CancellationToken cancellationToken, string? inferenceHeaderLength = null);
}

/// <summary>
/// The routing function's side of the GPU tier, over an <see cref="HttpClient"/> with timeouts, one retry (inference
/// is a pure function, so repeating it is safe) and a circuit breaker. When the tier is down, cold or its circuit is
/// open, callers get a 503 with Retry-After within the timeout: never a hang, never a 500.
/// </summary>
public sealed class GpuTierClient(HttpClient http, IHttpClientFactory clients, IOptions<StratusOptions> options) : IGpuTierClient
{
    /// <summary>A plain client for readiness probes: a warming tier's 503s must neither be retried nor trip infer's circuit.</summary>
    public const string ProbeClientName = "Stratus.GpuTier.Probe";

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.GpuTier.BaseUrl);

    public async Task<bool> IsModelReadyAsync(string model, int version, CancellationToken cancellationToken)
    {
        try
        {
            using var probe = clients.CreateClient(ProbeClientName);
            using var response = await probe.GetAsync(TierUri($"v2/models/{model}/versions/{version}/ready"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or Azure.Identity.AuthenticationFailedException)
        {
            return false;
        }
    }

    public async Task<TierAnswer> InferAsync(string model, int version, ReadOnlyMemory<byte> request, string requestId, CancellationToken cancellationToken, string? inferenceHeaderLength = null)
    {
        var uri = TierUri($"v2/models/{model}/versions/{version}/infer");
        using var message = new HttpRequestMessage(HttpMethod.Post, uri)
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
            throw new ProblemException(502, "No token for the GPU tier", $"This function app could not get an Entra ID token for the GPU tier (Stratus__GpuTier__Audience): {e.Message.Split('\n')[0]}");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or TimeoutRejectedException or BrokenCircuitException)
        {
            throw Unavailable(model, e is BrokenCircuitException ? "its circuit is open after repeated failures" : "it did not answer in time or refused the connection", DefaultRetryAfter);
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
                return new TierAnswer(body, jsonLength);
            }

            var retryAfter = response.Headers.RetryAfter?.Delta ?? DefaultRetryAfter;
            return response.StatusCode switch
            {
                HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => throw Unavailable(model, "it is starting or not ready", retryAfter),
                HttpStatusCode.TooManyRequests => throw new ProblemException(429, "GPU tier busy", $"The GPU tier's queue for model '{model}' is full; retry shortly.", retryAfter),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => throw new ProblemException(502, "GPU tier refused this app",
                    $"The GPU tier answered {(int)response.StatusCode}: this function app's identity is not accepted there (Stratus__GpuTier__Audience and the tier's Stratus__Tier__Auth__* must agree)."),
                >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError => throw new ProblemException((int)response.StatusCode, "Rejected by the GPU tier", ErrorOf(body)),
                _ => throw Unavailable(model, $"it failed ({(int)response.StatusCode})", retryAfter),
            };
        }
    }

    private Uri TierUri(string path) => new(new Uri(options.Value.GpuTier.BaseUrl!.TrimEnd('/') + "/"), path);

    private static ProblemException Unavailable(string model, string why, TimeSpan retryAfter) =>
        ProblemException.ServiceUnavailable("GPU tier unavailable", $"Model '{model}' runs on the GPU tier, which cannot serve it now: {why}.", retryAfter);

    private static string ErrorOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? "" : document.RootElement.GetRawText();
        }
        catch (JsonException)
        {
            return System.Text.Encoding.UTF8.GetString(body);
        }
    }
}
