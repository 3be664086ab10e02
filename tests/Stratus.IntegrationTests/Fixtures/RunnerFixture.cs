using System.Net.Http.Headers;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.LocalRunner;

namespace Stratus.Tests.Fixtures;

/// <summary>The local runner booted in-process on a free port, over its own Azurite (no GPU tier process).</summary>
public class RunnerFixture : IAsyncLifetime
{
    public const string FunctionKey = "test-function-key";
    public const string AdminKey = "test-admin-key";

    public AzuriteFixture Storage { get; } = new();
    public LocalRunnerHost Runner { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        await Storage.InitializeAsync();
        Runner = await LocalRunnerHost.StartAsync(new LocalRunnerOptions
        {
            Root = TestPaths.Root,
            Url = "http://127.0.0.1:0",
            SeedDemoModels = SeedDemoModels,
            GpuTierUrl = GpuTierUrl,
            Overrides = new Dictionary<string, string?>(Settings)
            {
                [SettingNames.Storage] = Storage.ConnectionString,
                [SettingNames.FunctionKey] = FunctionKey,
                [SettingNames.AdminKey] = AdminKey,
                // Tests start MonitorAll and RetrainAll themselves; the schedules' own firings (every 15 minutes for
                // monitoring) would add alerts and runs to whichever test spans one. Once a year, at new year.
                [SettingNames.MonitorSchedule] = "0 0 0 1 1 *",
                [SettingNames.RetrainSchedule] = "0 0 0 1 1 *",
                [OptionPaths.ServingMaxInstances.Key] = "100",
                [OptionPaths.MonitoringEstimationSampleRate.Key] = "1", // DLE on every served row: estimation tests compare with every label
                [OptionPaths.RegistryMaxUploadBytes.Key] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [OptionPaths.TierExecutionProvider.Key] = "cpu", // the tier's answers are compared with CPU references
            },
        });
    }

    /// <summary>Further settings of the runner (and of the GPU tier it starts, for <c>Stratus:*</c> ones).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>Whether the runner trains the demo models at start, as the Quickstart does.</summary>
    protected virtual bool SeedDemoModels => false;

    /// <summary>Where the runner starts the GPU tier; null: none.</summary>
    public virtual string? GpuTierUrl => null;

    protected virtual long MaxUploadBytes => 1_000_000;

    public HttpClient Client(string? key = AdminKey)
    {
        var client = new HttpClient { BaseAddress = Runner.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(StratusHeaders.FunctionKey, key);
        }

        return client;
    }

    /// <summary>Creates a card and uploads a sample model as version n; returns n.</summary>
    public async Task<int> RegisterAsync(string name, string sample, object? card = null)
    {
        using var client = Client();
        var put = await client.PutAsJsonAsync($"/api/models/{name}", card ?? new { description = "test" });
        put.EnsureSuccessStatusCode();
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(TestPaths.SampleModel(sample)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var upload = await client.PostAsync($"/api/models/{name}/versions", content);
        upload.EnsureSuccessStatusCode();
        var body = await upload.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("version").GetInt32();
    }

    public virtual async Task DisposeAsync()
    {
        if (Runner is not null)
        {
            await Runner.DisposeAsync();
        }

        await Storage.DisposeAsync();
    }
}
