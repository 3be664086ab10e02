using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using Stratus.Core.Http;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Dashboard;

/// <summary>
/// The dashboard in headless Chromium against the runner with seeded data: what a person would see in each view
/// matches what the API answers. Each test leaves a screenshot in artifacts/dashboard.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardTests(DashboardFixture fixture)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 30_000 };

    private async Task<JsonElement> GetAsync(string path)
    {
        using var client = fixture.Client(RunnerFixture.FunctionKey);
        return await client.GetFromJsonAsync<JsonElement>(path);
    }

    [Fact]
    public async Task The_page_and_its_bundle_are_served_without_a_key_and_an_unknown_file_is_a_404_problem()
    {
        using var anonymous = fixture.Client(key: null);

        var page = await anonymous.GetAsync(Routes.DashboardRoot);
        var html = await page.Content.ReadAsStringAsync();
        var bundle = await anonymous.GetAsync(Routes.DashboardRoot + "app.js");
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, Routes.DashboardRoot + "app.js");
        revalidate.Headers.IfNoneMatch.Add(bundle.Headers.ETag!);
        var notModified = await anonymous.SendAsync(revalidate);
        var missing = await anonymous.GetAsync(Routes.DashboardRoot + "nope.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("app.js", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Equal("text/javascript", bundle.Content.Headers.ContentType!.MediaType);
        Assert.True((await bundle.Content.ReadAsByteArrayAsync()).Length > 10_000, "the bundle holds the app and Chart.js");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_models_table_lists_the_demo_models_with_the_verdicts_the_monitoring_api_gives()
    {
        var page = await fixture.OpenAsync("/models");
        var table = page.GetByTestId("models-table");
        await Assertions.Expect(table).ToBeVisibleAsync(Visible);

        foreach (var model in new[] { "breast-cancer", "iris" })
        {
            var verdict = (await GetAsync($"/api/models/{model}/monitoring")).GetProperty("verdict").GetString();
            var row = table.Locator($"tr[data-model='{model}']");
            await Assertions.Expect(row.GetByTestId("verdict")).ToHaveTextAsync(verdict!, new() { Timeout = 30_000 });
        }

        await Assertions.Expect(table.Locator("tr[data-model='breast-cancer']")).ToContainTextAsync(DashboardFixture.Experiment);
        await DashboardFixture.ScreenshotAsync(page, "models");
    }

    [Fact]
    public async Task The_drift_view_shows_the_shifted_feature_with_a_higher_psi_than_every_other_feature_and_draws_its_chart()
    {
        var page = await fixture.OpenAsync("/models/breast-cancer/monitoring");
        var shifted = page.Locator($"section[data-feature='{DashboardFixture.ShiftedFeature}']");
        await Assertions.Expect(shifted).ToBeVisibleAsync(Visible);

        var psis = new Dictionary<string, double>();
        foreach (var section in await page.Locator("section[data-feature]").AllAsync())
        {
            var psi = section.GetByTestId("psi");
            psis[(await section.GetAttributeAsync("data-feature"))!] = double.Parse((await psi.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        }

        var report = await GetAsync("/api/models/breast-cancer/monitoring");
        var expected = report.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("feature").GetString() == DashboardFixture.ShiftedFeature).GetProperty("psi").GetDouble();
        Assert.Equal(expected, psis[DashboardFixture.ShiftedFeature], 12);
        var features = report.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("feature").GetString()!).ToArray();
        Assert.Equal(30, features.Length);
        Assert.All(features, f => Assert.Contains(f, psis.Keys)); // every feature has its section
        Assert.All(features.Where(f => f != DashboardFixture.ShiftedFeature), f => Assert.True(psis[f] < psis[DashboardFixture.ShiftedFeature], $"{f}: PSI {psis[f]} ≥ the shifted feature's"));
        await Assertions.Expect(shifted.GetByTestId("psi")).ToHaveTextAsync(expected.ToString("F3", CultureInfo.InvariantCulture));
        Assert.True(await HasDrawnAsync(shifted.Locator("canvas").First), "the shifted feature's chart has pixels");
        await DashboardFixture.ScreenshotAsync(page, "monitoring", fullPage: false);
    }

    [Fact]
    public async Task The_experiment_view_shows_the_lift_and_its_confidence_interval_as_the_api_returns_them()
    {
        var readout = await GetAsync($"/api/models/breast-cancer/experiments/{DashboardFixture.Experiment}");
        var comparison = readout.GetProperty("comparisons")[0];
        var page = await fixture.OpenAsync($"/models/breast-cancer/experiments/{DashboardFixture.Experiment}");
        var lift = page.GetByTestId("lift");
        await Assertions.Expect(lift).ToBeVisibleAsync(Visible);

        foreach (var (testId, value) in new[]
        {
            ("lift", comparison.GetProperty("lift").GetDouble()),
            ("lift-lower", comparison.GetProperty("liftInterval").GetProperty("lower").GetDouble()),
            ("lift-upper", comparison.GetProperty("liftInterval").GetProperty("upper").GetDouble()),
        })
        {
            var shown = page.GetByTestId(testId).First;
            await Assertions.Expect(shown).ToHaveTextAsync(value.ToString("F4", CultureInfo.InvariantCulture));
            Assert.Equal(value, double.Parse((await shown.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 12);
        }

        await Assertions.Expect(page.GetByTestId("decision")).ToContainTextAsync(readout.GetProperty("decision").GetString()!);
        Assert.True(readout.GetProperty("history").GetArrayLength() > 0, "the readout has a p-value history to draw");
        Assert.True(await HasDrawnAsync(page.GetByTestId("pvalue-history").Locator("canvas")), "the always-valid p-value over time is drawn");
        await DashboardFixture.ScreenshotAsync(page, "experiment");
    }

    [Fact]
    public async Task A_promote_with_a_stale_etag_shows_the_conflict_message_and_changes_nothing_after_another_writer_moved_an_alias()
    {
        var page = await fixture.OpenAsync("/models/iris");
        var promote = page.GetByTestId("promote-2");
        await Assertions.Expect(promote).ToBeVisibleAsync(Visible);

        // The card as the page read it; then someone else changes it (another alias) before the click.
        using var reader = fixture.Client(RunnerFixture.FunctionKey);
        var read = (await reader.GetAsync("/api/models/iris")).Headers.ETag!.ToString();
        using (var admin = fixture.Client())
        {
            (await admin.PutAsJsonAsync("/api/models/iris/aliases/challenger", new { version = 2 })).EnsureSuccessStatusCode();
        }

        var puts = new List<IRequest>();
        page.Request += (_, request) =>
        {
            if (request.Method == "PUT")
            {
                puts.Add(request);
            }
        };

        await promote.ClickAsync();
        await page.Locator("#admin-key").FillAsync(RunnerFixture.AdminKey);
        await page.Locator("#admin-confirm").ClickAsync();

        await Assertions.Expect(page.GetByTestId("conflict")).ToContainTextAsync("changed by someone else", new() { Timeout = 30_000 });
        var card = (await GetAsync("/api/models/iris")).GetProperty("card");
        var put = Assert.Single(puts); // refused, not retried over the other writer's change
        Assert.EndsWith("/api/models/iris/aliases/champion", put.Url, StringComparison.Ordinal);
        Assert.Equal(read, await put.HeaderValueAsync("if-match"));
        Assert.Equal("", await page.Locator("#admin-key").InputValueAsync());
        Assert.Equal(1, card.GetProperty("aliases").GetProperty("champion").GetInt32());
        Assert.Equal(2, card.GetProperty("aliases").GetProperty("challenger").GetInt32());
        Assert.DoesNotContain(RunnerFixture.AdminKey, await page.EvaluateAsync<string>("() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage)"), StringComparison.Ordinal);
        await DashboardFixture.ScreenshotAsync(page, "model");
    }

    [Fact]
    public async Task The_training_run_view_lists_every_candidate_and_the_promotion_decision()
    {
        var run = await GetAsync("/api/runs/train-iris.demo");
        var candidates = run.GetProperty("output").GetProperty("candidates").GetArrayLength();
        var page = await fixture.OpenAsync("/runs/train-iris.demo");
        var leaderboard = page.GetByTestId("leaderboard");
        await Assertions.Expect(leaderboard).ToBeVisibleAsync(Visible);

        await Assertions.Expect(leaderboard.Locator("tbody tr")).ToHaveCountAsync(candidates);
        await Assertions.Expect(leaderboard).ToContainTextAsync("lightgbm");
        await Assertions.Expect(page.GetByTestId("promotion")).ToContainTextAsync(run.GetProperty("output").GetProperty("reason").GetString()!);
        await DashboardFixture.ScreenshotAsync(page, "run");
    }

    [Fact]
    public async Task An_api_error_is_shown_with_its_detail_and_request_id()
    {
        var page = await fixture.OpenAsync("/models/no-such-model");
        var error = page.GetByTestId("error");
        await Assertions.Expect(error).ToBeVisibleAsync(Visible);

        await Assertions.Expect(error).ToContainTextAsync("no-such-model");
        await Assertions.Expect(error).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"request id \S+"));
    }

    /// <summary>True once the canvas has a pixel that is not transparent (charts draw on the frame after they attach).</summary>
    private static async Task<bool> HasDrawnAsync(ILocator canvas)
    {
        await Assertions.Expect(canvas).ToBeVisibleAsync(Visible);
        var handle = await canvas.ElementHandleAsync();
        try
        {
            await canvas.Page.WaitForFunctionAsync(
                "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false; }",
                handle,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
