namespace Stratus.Core.Configuration;

/// <summary>Top-level setting names that live outside the <c>Stratus</c> section.</summary>
public static class SettingNames
{
    /// <summary>The storage account of the Functions host; Stratus keeps its registry there too.</summary>
    public const string Storage = "AzureWebJobsStorage";

    /// <summary>Local stand-in for the Functions host's function key (read by the local runner only).</summary>
    public const string FunctionKey = "STRATUS_FUNCTION_KEY";

    /// <summary>Local stand-in for the Functions host's master key (read by the local runner only).</summary>
    public const string AdminKey = "STRATUS_ADMIN_KEY";

    /// <summary>NCRONTAB (six fields) of scheduled retraining; a flat name so the Functions host resolves it in %…%.</summary>
    public const string RetrainSchedule = "STRATUS_RETRAIN_SCHEDULE";

    /// <summary>NCRONTAB (six fields) of MonitorAll, every 15 minutes by default.</summary>
    public const string MonitorSchedule = "STRATUS_MONITOR_SCHEDULE";

    /// <summary>GPU tier only: exit when standard input closes, so a host that owns the process (the local runner) never leaves it behind.</summary>
    public const string ExitWithParent = "STRATUS_EXIT_WITH_PARENT";

    /// <summary>Application Insights: where metrics go in Azure (read by Stratus' exporter, and by the Functions host for its own telemetry).</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary><c>ClientId={identity};Authorization=AAD</c>: telemetry sent with Entra ID (the resource has local auth off).</summary>
    public const string ApplicationInsightsAuthentication = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>An OTLP collector for metrics (optional; any OpenTelemetry backend).</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
}
