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
}
