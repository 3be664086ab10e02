namespace Stratus.Core.Configuration;

/// <summary>
/// The settings each app needs when it runs in Azure, as app settings / environment variables (<c>__</c> for
/// sections). infra/ writes exactly these plus optional <see cref="StratusOptions"/> values; a test compiles the
/// templates and checks both directions.
/// </summary>
public static class AzureSettings
{
    /// <summary>Keys under <c>AzureWebJobsStorage__</c> for identity-based storage (no connection string, no key).</summary>
    public static class StorageIdentity
    {
        public const string AccountName = "accountName";
        public const string BlobServiceUri = "blobServiceUri";
        public const string TableServiceUri = "tableServiceUri";

        /// <summary>The user-assigned identity's client id; absent: the default credential chain.</summary>
        public const string ClientId = "clientId";

        /// <summary><c>managedidentity</c>; read by the Functions host and the Durable extension, not by Stratus code.</summary>
        public const string Credential = "credential";

        /// <summary>The keys Stratus' own storage clients read (both apps).</summary>
        public static readonly string[] ReadByStratus = [AccountName, BlobServiceUri, TableServiceUri, ClientId];
    }

    /// <summary>Read by the Functions host itself (identity storage for its triggers and Durable), not by Stratus code.</summary>
    public static readonly string[] FunctionsHost = [Env(SettingNames.Storage, StorageIdentity.Credential)];

    public static readonly string[] RequiredByFunctionApp =
    [
        Env(SettingNames.Storage, StorageIdentity.AccountName),
        Env(SettingNames.Storage, StorageIdentity.Credential),
        SettingNames.RetrainSchedule,
        SettingNames.MonitorSchedule,
        OptionPaths.GpuTierBaseUrl.Env,
        SettingNames.ApplicationInsightsConnectionString,
        SettingNames.ApplicationInsightsAuthentication,
    ];

    public static readonly string[] RequiredByGpuTier =
    [
        Env(SettingNames.Storage, StorageIdentity.AccountName),
        Env(SettingNames.Storage, StorageIdentity.ClientId),
        OptionPaths.TierExecutionProvider.Env,
        SettingNames.ApplicationInsightsConnectionString,
        SettingNames.ApplicationInsightsAuthentication,
    ];

    /// <summary>A configuration path as an app setting / environment variable name.</summary>
    public static string Env(params string[] path) => string.Join("__", path);
}
