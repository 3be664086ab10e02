using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stratus.Core.Http;
using Stratus.Experiments.Traffic;
using Stratus.Reliability.Recording;
using Stratus.Serving.Observation;

namespace Stratus.Tests.Fixtures;

/// <summary>
/// The runner as the Quickstart starts it (demo models trained by their runs), seeded with what the dashboard shows:
/// breast-cancer traffic with one feature shifted, an experiment on breast-cancer with outcomes, and a second iris
/// version to promote. Plus Debian's Chromium, driven headless by Playwright.
/// </summary>
public sealed class DashboardFixture : RunnerFixture
{
    public const string ShiftedFeature = "mean_radius";
    public const string Experiment = "checkout";

    /// <summary>Debian's Chromium (<c>apt-get install chromium</c>), or <c>STRATUS_CHROMIUM</c>.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("STRATUS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Where each test's screenshot goes; the current ones are copied to docs/images by hand.</summary>
    public static string ScreenshotDirectory => Path.Combine(TestPaths.Root, "artifacts", "dashboard");

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    protected override bool SeedDemoModels => true;

    protected override long MaxUploadBytes => 256L << 20; // the resnet18 demo (no GPU tier here: it is listed, not served)

    public override async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: install Debian's (apt-get install chromium) or set STRATUS_CHROMIUM.");
        }

        await base.InitializeAsync();
        await SeedDriftAsync();
        await SeedExperimentAsync();
        await CopyVersionAsync("iris", 1);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], // root in a container
        });
    }

    public override async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
    }

    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>A fresh page (in its own context: its own session storage) at the dashboard's <paramref name="route"/>, the function key entered as a user would.</summary>
    public async Task<IPage> OpenAsync(string route)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Runner.BaseAddress, Routes.DashboardRoot + "#" + route).ToString());
        await page.Locator("#function-key").FillAsync(FunctionKey);
        await page.Locator("#save-key").ClickAsync();
        return page;
    }

    /// <param name="fullPage">False for long pages (thirty features' charts): the first screen is the picture.</param>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = fullPage });
    }

    /// <summary>1,000 breast-cancer rows with <see cref="ShiftedFeature"/> moved up by three standard deviations.</summary>
    private async Task SeedDriftAsync()
    {
        var data = BreastCancer.Load();
        var served = data.Shifted(data.Bootstrap(1000, seed: 7), 3, ShiftedFeature)
            .Select(row => data.Features.Zip(row).ToDictionary(p => p.First, p => p.Second))
            .ToArray();

        using var client = Client(FunctionKey);
        foreach (var chunk in served.Chunk(100))
        {
            (await client.PostAsJsonAsync("/api/models/breast-cancer/predict", new { instances = chunk })).EnsureSuccessStatusCode();
        }

        await Runner.Services.GetRequiredService<PredictionObservations>().DrainAsync(CancellationToken.None);
        await Runner.Services.GetRequiredService<MonitoringFlusher>().FlushAsync(CancellationToken.None);
    }

    /// <summary>400 units split between the champion and a copy of it; treatment's units convert more often.</summary>
    private async Task SeedExperimentAsync()
    {
        var treatment = await CopyVersionAsync("breast-cancer", 1);
        using var admin = Client();
        var variants = new object[] { new { name = "control", alias = "champion", weight = 0.5 }, new { name = "treatment", version = treatment, weight = 0.5 } };
        (await admin.PutAsJsonAsync($"/api/models/breast-cancer/experiments/{Experiment}", new { variants, metric = new { name = "reviewed-within-24h", kind = "binary" }, minimumDetectableEffect = 0.2 })).EnsureSuccessStatusCode();

        using var client = Client(FunctionKey);
        var assigned = new List<(string Unit, string Variant)>();
        var row = new { instances = new[] { BreastCancer.Load().Rows[0] } };
        for (var i = 0; i < 400; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/models/breast-cancer/predict") { Content = JsonContent.Create(row) };
            request.Headers.Add(StratusHeaders.Unit, $"user-{i}");
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
            assigned.Add(($"user-{i}", response.Headers.GetValues(StratusHeaders.Variant).Single()));
        }

        await Runner.Services.GetRequiredService<PredictionObservations>().DrainAsync(CancellationToken.None);
        await Runner.Services.GetRequiredService<TrafficRecorder>().FlushAsync(CancellationToken.None);
        var random = new Random(11);
        var events = assigned.Where(a => random.NextDouble() < (a.Variant == "control" ? 0.2 : 0.4)).Select(a => new { id = "review-" + a.Unit, unit = a.Unit, value = 1 }).ToArray();
        (await client.PostAsJsonAsync($"/api/models/breast-cancer/experiments/{Experiment}/outcomes", new { events })).EnsureSuccessStatusCode();
    }

    /// <summary>Registers version <paramref name="version"/>'s artifact again as the next version; returns its number.</summary>
    private async Task<int> CopyVersionAsync(string model, int version)
    {
        using var admin = Client();
        var artifact = await admin.GetByteArrayAsync($"/api/models/{model}/versions/{version}/artifact");
        using var content = new ByteArrayContent(artifact);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var upload = await admin.PostAsync($"/api/models/{model}/versions", content);
        upload.EnsureSuccessStatusCode();
        return (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
    }
}
