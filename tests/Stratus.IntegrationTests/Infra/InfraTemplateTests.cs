using System.Collections;
using System.Reflection;
using System.Text.Json;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The Bicep templates and the code agree on settings, storage names and the tier's health routes.</summary>
public sealed class InfraTemplateTests
{
    private static readonly string[] FunctionAppSettings = CompiledInfra.NamedEntries("appSettings").Select(e => e.Name).ToArray();
    private static readonly string[] GpuTierSettings = CompiledInfra.NamedEntries("env").Select(e => e.Name).ToArray();

    [Fact]
    public void Every_setting_the_templates_write_is_one_the_code_binds()
    {
        Assert.NotEmpty(FunctionAppSettings);
        Assert.NotEmpty(GpuTierSettings);
        var bound = BoundByCode();
        Assert.All(FunctionAppSettings, name => Assert.True(bound(name) || AzureSettings.FunctionsHost.Contains(name), $"function app setting '{name}' is not read by the code"));
        Assert.All(GpuTierSettings, name => Assert.True(bound(name), $"GPU tier setting '{name}' is not read by the code"));
    }

    [Fact]
    public void Every_setting_the_code_requires_in_azure_is_written_by_the_templates()
    {
        Assert.All(AzureSettings.RequiredByFunctionApp, name => Assert.Contains(name, FunctionAppSettings));
        Assert.All(AzureSettings.RequiredByGpuTier, name => Assert.Contains(name, GpuTierSettings));
    }

    [Fact]
    public void No_setting_carries_a_storage_key_or_connection_string()
    {
        Assert.DoesNotContain(SettingNames.Storage, FunctionAppSettings.Concat(GpuTierSettings));
        var text = CompiledInfra.MainTemplate.GetRawText();
        Assert.DoesNotContain("listKeys", text);
        Assert.DoesNotContain("AccountKey=", text);
    }

    [Fact]
    public void The_templates_create_the_containers_and_tables_the_code_uses()
    {
        var variables = CompiledInfra.MainTemplate.GetProperty("variables");
        var containers = variables.GetProperty("blobContainers").EnumerateArray().Select(e => e.GetString()).ToArray();
        var tables = variables.GetProperty("registryTables").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains(StorageNames.ModelsContainer, containers);
        Assert.Contains(StorageNames.DatasetsContainer, containers);
        Assert.Contains(StorageNames.UploadsContainer, containers);
        var declared = typeof(StorageNames).GetFields().Where(f => f.Name.EndsWith("Table", StringComparison.Ordinal)).Select(f => (string)f.GetValue(null)!);
        Assert.Equal(declared.Order(), tables.Order());
    }

    [Fact]
    public void The_gpu_tier_identity_reads_only_the_models_container_and_the_card_and_version_tables_and_basic_publishing_is_off()
    {
        var roles = CompiledInfra.MainTemplate.GetProperty("resources").GetProperty("roles");
        var assignments = roles.GetProperty("properties").GetProperty("template").GetProperty("resources");
        var tierScopes = assignments.EnumerateObject()
            .Where(r => r.Name.StartsWith("gpuTier", StringComparison.Ordinal) && r.Name is not ("gpuTierTelemetry" or "gpuTierPull") && r.Value.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments")
            .Select(r => r.Value.GetProperty("scope").GetString()!).ToArray();
        Assert.Equal(2, tierScopes.Length);
        Assert.Contains(tierScopes, s => s.Contains("blobServices/containers", StringComparison.Ordinal) && s.Contains("modelsContainerName", StringComparison.Ordinal));
        Assert.Contains(tierScopes, s => s.Contains("tableServices/tables", StringComparison.Ordinal) && s.Contains("modelTableNames", StringComparison.Ordinal));

        var parameters = roles.GetProperty("properties").GetProperty("parameters");
        Assert.Equal("[variables('blobContainers')[0]]", parameters.GetProperty("modelsContainerName").GetProperty("value").GetString());
        Assert.Equal(StorageNames.ModelsContainer, CompiledInfra.MainTemplate.GetProperty("variables").GetProperty("blobContainers")[0].GetString());
        var tables = CompiledInfra.MainTemplate.GetProperty("variables").GetProperty("registryTables").EnumerateArray().Take(2).Select(t => t.GetString()!).ToArray();
        Assert.Equal([StorageNames.ModelCardsTable, StorageNames.ModelVersionsTable], tables);
        Assert.Equal("[take(variables('registryTables'), 2)]", parameters.GetProperty("modelTableNames").GetProperty("value").GetString());

        var policies = CompiledInfra.Resources("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.Equal(JsonValueKind.False, p.GetProperty("properties").GetProperty("allow").ValueKind));
    }

    [Fact]
    public void Bicep_parameters_that_set_an_option_default_to_the_options_own_default()
    {
        var parameters = CompiledInfra.MainTemplate.GetProperty("parameters");
        int Default(string parameter) => parameters.GetProperty(parameter).GetProperty("defaultValue").GetInt32();

        // gpuMaxBatchSize is a deliberate deployment choice (a GPU takes larger batches than the CPU default), not a default.
        Assert.Equal(new TierOptions().DrainSeconds, Default("gpuDrainSeconds"));
        Assert.Equal(new GpuTierOptions().TimeoutSeconds, Default("gpuTierTimeoutSeconds"));
    }

    [Fact]
    public void The_function_apps_session_cache_and_body_limit_are_sized_from_its_instance_memory_and_concurrency()
    {
        var (_, variables) = CompiledInfra.Resource("Microsoft.Web/sites");
        var settings = CompiledInfra.NamedEntries("appSettings").ToDictionary(e => e.Name, e => e.Value.ToString());

        Assert.Contains("sessionCacheBytes", settings[OptionPath.Of(o => o.Serving.SessionCacheBytes).Env]);
        Assert.Contains("maxRequestBytes", settings[OptionPaths.ServingMaxRequestBytes.Env]);
        Assert.Contains("parameters('instanceMemoryMB')", variables.GetProperty("sessionCacheBytes").GetString());
        var body = variables.GetProperty("maxRequestBytes").GetString()!;
        Assert.Contains("parameters('instanceMemoryMB')", body);
        Assert.Contains("parameters('perInstanceConcurrency')", body);
    }

    [Fact]
    public void The_gpu_tier_app_faces_outside_its_environment_only_with_an_audience_on_the_tier_port_with_probes_on_its_health_routes()
    {
        var (app, variables) = CompiledInfra.Resource("Microsoft.App/containerApps");
        int Port(JsonElement value) => value.ValueKind == JsonValueKind.Number
            ? value.GetInt32()
            : variables.GetProperty(value.GetString()!.Replace("[variables('", "").Replace("')]", "")).GetInt32();

        var ingress = app.GetProperty("properties").GetProperty("configuration").GetProperty("ingress");
        // Closed by default: reachable from outside its environment only with an audience, or inside the VNet.
        var external = ingress.GetProperty("external").GetString()!;
        Assert.Contains("parameters('authAudience')", external + variables.GetProperty("anonymous").GetString());
        Assert.Contains("variables('internal')", external);
        Assert.Equal(8080, Port(ingress.GetProperty("targetPort")));
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", File.ReadAllText(Path.Combine(TestPaths.Root, "src", "Stratus.GpuTier", "Dockerfile")));

        var probes = app.GetProperty("properties").GetProperty("template").GetProperty("containers")[0].GetProperty("probes").EnumerateArray()
            .ToDictionary(p => p.GetProperty("type").GetString()!, p => p.GetProperty("httpGet"));
        Assert.Equal($"/{Routes.V2Live}", probes["Liveness"].GetProperty("path").GetString());
        Assert.Equal($"/{Routes.V2Live}", probes["Startup"].GetProperty("path").GetString());
        Assert.Equal($"/{Routes.V2Ready}", probes["Readiness"].GetProperty("path").GetString());
        Assert.All(probes.Values, p => Assert.Equal(8080, Port(p.GetProperty("port"))));
    }

    /// <summary>Names the code reads: <see cref="StratusOptions"/> paths, <see cref="SettingNames"/> and identity storage keys.</summary>
    private static Func<string, bool> BoundByCode()
    {
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string>();
        void Walk(Type type, string path)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var name = $"{path}__{property.Name}";
                var t = property.PropertyType;
                if (t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t))
                {
                    Walk(t, name);
                }
                else if (t != typeof(string) && typeof(IEnumerable).IsAssignableFrom(t))
                {
                    prefixes.Add(name + "__"); // lists and dictionaries: indexed or keyed entries
                }
                else
                {
                    exact.Add(name);
                }
            }
        }

        Walk(typeof(StratusOptions), StratusOptions.Section);
        foreach (var field in typeof(SettingNames).GetFields().Where(f => f.IsLiteral))
        {
            exact.Add(((string)field.GetValue(null)!).Replace(":", "__", StringComparison.Ordinal));
        }

        foreach (var key in AzureSettings.StorageIdentity.ReadByStratus)
        {
            exact.Add(AzureSettings.Env(SettingNames.Storage, key));
        }

        return name => exact.Contains(name) || prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
    }
}

public sealed class TelemetryCredentialTests
{
    [Fact]
    public void Metrics_authenticate_as_the_identity_named_in_the_authentication_string()
    {
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(Stratus.ServiceDefaults.ServiceDefaultsExtensions.Credential("ClientId=0b5e1d2c-1111-2222-3333-444455556666;Authorization=AAD"));
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(Stratus.ServiceDefaults.ServiceDefaultsExtensions.Credential(null));
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(Stratus.ServiceDefaults.ServiceDefaultsExtensions.Credential("Authorization=AAD"));
    }
}
