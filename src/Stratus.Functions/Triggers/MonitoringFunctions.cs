using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Stratus.Core.Errors;
using Stratus.Core.Http;
using Stratus.Core.Models;
using Stratus.Core.Monitoring;
using Stratus.Functions.Http;
using Stratus.Functions.Orchestrations;
using Stratus.Reliability.Feedback;
using Stratus.Reliability.References;
using Stratus.Reliability.Reports;

namespace Stratus.Functions.Triggers;

/// <summary>Monitoring: references (admin), drift reports, feedback and alerts (function key), and running MonitorAll now (admin).</summary>
public sealed class MonitoringFunctions(
    ReferenceService references,
    MonitoringReportService reports,
    FeedbackService feedback,
    IAlertStore alerts,
    IDurableHttpLinks links,
    TimeProvider clock)
{
    [Function(nameof(PutReference))]
    public async Task<IActionResult> PutReference(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = Routes.VersionReference)] HttpRequest request,
        string name,
        int version,
        CancellationToken cancellationToken)
    {
        RequestBodies.RequireContentType(request, DatasetFunctions.Csv);
        var summary = await references.PutCsvAsync(name, version, request.Body, request.Query["label"], ReferenceSet.UploadSource, cancellationToken);
        return ApiResults.Json(summary);
    }

    [Function(nameof(GetMonitoring))]
    public async Task<IActionResult> GetMonitoring(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Monitoring)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        int? version = request.Query["version"] is { Count: > 0 } v
            ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw DomainException.Invalid("Invalid query", $"'version' must be a version number; got '{v}'.")
            : null;
        var report = await reports.GetAsync(name, version, Time(request, "from"), Time(request, "to"), cancellationToken);
        return ApiResults.Json(report);
    }

    [Function(nameof(PostFeedback))]
    public async Task<IActionResult> PostFeedback(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Feedback)] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        using var body = await RequestBodies.ReadJsonAsync<JsonDocument>(request, cancellationToken);
        return ApiResults.Json(await feedback.RecordAsync(name, body.RootElement, cancellationToken));
    }

    [Function(nameof(ListModelAlerts))]
    public async Task<IActionResult> ListModelAlerts(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.ModelAlerts)] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        ApiResults.Json(new { alerts = await alerts.ListAsync(ResourceName.Require(name, "model"), Time(request, "since") ?? DateTimeOffset.MinValue, cancellationToken) });

    [Function(nameof(ListAlerts))]
    public async Task<IActionResult> ListAlerts(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Alerts)] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(new { alerts = await alerts.ListAsync(null, Time(request, "since") ?? clock.GetUtcNow().AddDays(-7), cancellationToken) });

    [Function(nameof(MonitorNow))]
    public async Task<IActionResult> MonitorNow(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.Monitor)] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var id = "monitor-" + Guid.NewGuid().ToString("N")[..12];
        await durable.ScheduleNewOrchestrationInstanceAsync(MonitorAllOrchestrator.Name, new MonitorInput(id), new StartOrchestrationOptions(id), cancellationToken);
        return DurableHttpResults.Accepted(links.CreatePayload(durable, request, id));
    }

    private static DateTimeOffset? Time(HttpRequest request, string name) =>
        request.Query[name] is { Count: > 0 } value
            ? DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                ? time
                : throw DomainException.Invalid("Invalid query", $"'{name}' must be an ISO 8601 time such as 2026-12-02T10:00:00Z; got '{value}'.")
            : null;
}
