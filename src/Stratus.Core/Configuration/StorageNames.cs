namespace Stratus.Core.Configuration;

/// <summary>Blob containers and tables Stratus owns, named once.</summary>
public static class StorageNames
{
    public const string ModelsContainer = "models";
    public const string DatasetsContainer = "datasets";

    /// <summary>Where callers stage model files too large for a request body, for <c>POST …/versions {"blob": …}</c>.</summary>
    public const string UploadsContainer = "uploads";

    public const string ModelCardsTable = "StratusModelCards";
    public const string ModelVersionsTable = "StratusModelVersions";
    public const string DatasetsTable = "StratusDatasets";

    /// <summary>Monitoring windows: one row per model version, window and instance.</summary>
    public const string MonitoringTable = "StratusMonitoring";

    /// <summary>Labels joined to logged predictions: one row per model version, window, request and row.</summary>
    public const string FeedbackTable = "StratusFeedback";

    /// <summary>Monitoring alerts, per model, newest first.</summary>
    public const string AlertsTable = "StratusAlerts";

    /// <summary>Experiments: partition = model, a row per experiment plus one marking the running one.</summary>
    public const string ExperimentsTable = "StratusExperiments";

    /// <summary>Experiments' exposures (a row per exposed unit) and outcomes (a row per event id), a partition per experiment.</summary>
    public const string ExperimentEventsTable = "StratusExperimentEvents";

    /// <summary>The prediction log: one blob container per UTC day (this prefix + yyyyMMdd), so retention drops whole containers.</summary>
    public const string PredictionLogContainerPrefix = "stratus-predictions-";

    public static string PredictionLogContainer(DateOnly day) => PredictionLogContainerPrefix + day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Where requests with ids callers chose were logged: one table per UTC day (this prefix + yyyyMMdd).</summary>
    public const string PredictionIndexTablePrefix = "StratusPredictionIndex";

    public static string PredictionIndexTable(DateOnly day) => PredictionIndexTablePrefix + day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A version's monitoring reference, next to its artifact in the models container.</summary>
    public static string ReferencePath(string model, int version) => $"{model}/{version}/reference.json";

    /// <summary>A regressor's DLE loss model (<paramref name="loss"/>: <c>absolute</c> or <c>squared</c>), an ML.NET model next to its reference.</summary>
    public static string LossModelPath(string model, int version, string loss) => $"{model}/{version}/loss-{loss}.zip";
}
