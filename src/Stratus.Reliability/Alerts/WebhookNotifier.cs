using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Monitoring;

namespace Stratus.Reliability.Alerts;

/// <summary>POSTs an alert as JSON to <see cref="MonitoringOptions.WebhookUrl"/> through a resilient client (retries, timeouts, breaker).</summary>
public sealed partial class WebhookNotifier(HttpClient http, IOptions<StratusOptions> options, ILogger<WebhookNotifier> logger)
{
    /// <summary>Null when delivered (or no webhook is set), else why it failed; a failure never loses the stored alert.</summary>
    public async Task<string?> NotifyAsync(MonitoringAlert alert, CancellationToken cancellationToken)
    {
        if (options.Value.Monitoring.WebhookUrl is not { Length: > 0 } url)
        {
            return null;
        }

        try
        {
            using var response = await http.PostAsJsonAsync(new Uri(url), alert, StratusJson.Options, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            LogWebhookFailed(null, alert.Model, (int)response.StatusCode);
            return $"the webhook answered {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            LogWebhookFailed(e, alert.Model, 0);
            return "the webhook could not be reached: " + e.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert webhook for {Model} failed (status {Status})")]
    private partial void LogWebhookFailed(Exception? exception, string model, int status);
}
