using System.Linq.Expressions;

namespace Stratus.Core.Configuration;

/// <summary>
/// A setting's path, derived from the options type that declares it (so renaming a property renames the setting
/// everywhere). <see cref="Key"/> is the configuration key (<c>Stratus:GpuTier:BaseUrl</c>); <see cref="Env"/> the app
/// setting / environment variable (<c>Stratus__GpuTier__BaseUrl</c>), which is also how messages name it.
/// </summary>
public sealed record OptionPath(IReadOnlyList<string> Segments)
{
    public string Key => string.Join(':', Segments);

    public string Env => string.Join("__", Segments);

    public override string ToString() => Env;

    /// <summary>The path of a property under <see cref="StratusOptions"/>: <c>OptionPath.Of(o => o.Serving.MaxInstances)</c>.</summary>
    public static OptionPath Of<T>(Expression<Func<StratusOptions, T>> property)
    {
        var names = new List<string>();
        var node = property.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : property.Body;
        while (node is MemberExpression member)
        {
            names.Add(member.Member.Name);
            node = member.Expression;
        }

        if (node is not ParameterExpression)
        {
            throw new ArgumentException($"'{property}' is not a chain of properties of {nameof(StratusOptions)}.", nameof(property));
        }

        names.Add(StratusOptions.Section);
        names.Reverse();
        return new OptionPath(names);
    }
}

/// <summary>The paths that code, messages and tests name; everything else is reached through the options types themselves.</summary>
public static class OptionPaths
{
    public static readonly OptionPath GpuTierBaseUrl = OptionPath.Of(o => o.GpuTier.BaseUrl);
    public static readonly OptionPath GpuTierAudience = OptionPath.Of(o => o.GpuTier.Audience);
    public static readonly OptionPath TierAuth = OptionPath.Of(o => o.Tier.Auth);
    public static readonly OptionPath TierAuthAudience = OptionPath.Of(o => o.Tier.Auth.Audience);
    public static readonly OptionPath TierAuthTenantId = OptionPath.Of(o => o.Tier.Auth.TenantId);
    public static readonly OptionPath TierAuthAllowedClientIds = OptionPath.Of(o => o.Tier.Auth.AllowedClientIds);
    public static readonly OptionPath TierAuthAllowAnonymous = OptionPath.Of(o => o.Tier.Auth.AllowAnonymous);
    public static readonly OptionPath TierExecutionProvider = OptionPath.Of(o => o.Tier.ExecutionProvider);
    public static readonly OptionPath TierDrainSeconds = OptionPath.Of(o => o.Tier.DrainSeconds);
    public static readonly OptionPath ServingMaxInstances = OptionPath.Of(o => o.Serving.MaxInstances);
    public static readonly OptionPath ServingMaxRequestBytes = OptionPath.Of(o => o.Serving.MaxRequestBytes);
    public static readonly OptionPath ServingWarmupModels = OptionPath.Of(o => o.Serving.WarmupModels);
    public static readonly OptionPath RegistryMaxUploadBytes = OptionPath.Of(o => o.Registry.MaxUploadBytes);
    public static readonly OptionPath DatasetsMaxUploadBytes = OptionPath.Of(o => o.Datasets.MaxUploadBytes);
    public static readonly OptionPath RetrainingMaxParallelism = OptionPath.Of(o => o.Retraining.MaxParallelism);
    public static readonly OptionPath MonitoringEnabled = OptionPath.Of(o => o.Monitoring.Enabled);
    public static readonly OptionPath MonitoringFlushSeconds = OptionPath.Of(o => o.Monitoring.FlushSeconds);
    public static readonly OptionPath MonitoringWebhookUrl = OptionPath.Of(o => o.Monitoring.WebhookUrl);
    public static readonly OptionPath MonitoringEstimationSampleRate = OptionPath.Of(o => o.Monitoring.EstimationSampleRate);
    public static readonly OptionPath ExperimentsFlushSeconds = OptionPath.Of(o => o.Experiments.FlushSeconds);
    public static readonly OptionPath LocalEngineVisibilityTimeout = OptionPath.Of(o => o.LocalEngine.VisibilityTimeoutSeconds);
}
