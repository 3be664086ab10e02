using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>The GPU tier killed under load: what callers of the function route see, and recovery without the function app restarting.</summary>
public sealed class GpuTierFaultTests(GpuTierFaultTests.Fixture fixture) : IClassFixture<GpuTierFaultTests.Fixture>
{
    /// <summary>A runner of its own with its GPU tier (CPU provider here): this class kills that tier.</summary>
    public sealed class Fixture : RunnerFixture
    {
        public override string? GpuTierUrl { get; } = $"http://127.0.0.1:{FreePort()}";

        private static int FreePort()
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private sealed record Outcome(long Sequence, HttpStatusCode Status, bool RetryAfter, TimeSpan Elapsed, TimeSpan At);

    [Fact]
    public async Task The_gpu_tier_killed_under_load_answers_503_with_Retry_After_until_its_restart_and_then_serves_again_in_the_same_function_app()
    {
        await fixture.RegisterAsync("tier-fault", "iris", new { tier = "gpu", featureNames = PredictEndToEndTests.CardFeatures("iris") });
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/tier-fault/aliases/champion", new { version = 1 })).EnsureSuccessStatusCode();
        var tier = fixture.Runner.GpuTier!;
        await tier.WaitUntilReadyAsync(CancellationToken.None);
        var row = new { instances = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } };
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/models/tier-fault/predict", row)).StatusCode);

        // Four callers in closed loops, every outcome recorded in order.
        var outcomes = new ConcurrentQueue<Outcome>();
        long sequence = 0;
        var clock = Stopwatch.StartNew(); // reported, not asserted on
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var client = fixture.Client(RunnerFixture.FunctionKey);
            client.Timeout = TimeSpan.FromSeconds(60);
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.StartNew();
                using var response = await client.PostAsJsonAsync("/api/models/tier-fault/predict", row);
                outcomes.Enqueue(new Outcome(Interlocked.Increment(ref sequence), response.StatusCode, response.Headers.RetryAfter is not null, started.Elapsed, clock.Elapsed));
            }
        })).ToArray();

        await Poll.UntilAsync(_ => Task.FromResult(outcomes.Count(o => o.Status == HttpStatusCode.OK)), ok => ok >= 20, TimeSpan.FromSeconds(30), "served under load before the kill");
        var killed = tier.ProcessId;
        var killedAt = Interlocked.Read(ref sequence);
        var killedTime = clock.Elapsed;
        Process.GetProcessById(killed).Kill(); // SIGKILL: no drain, connections reset

        // Served again once the supervisor restarted the tier and the client's circuit let calls through.
        await Poll.UntilAsync(
            _ => Task.FromResult(outcomes.Where(o => o.Sequence > killedAt).ToArray()),
            after => after.Any(o => o.Status == HttpStatusCode.ServiceUnavailable) && after.SkipWhile(o => o.Status != HttpStatusCode.ServiceUnavailable).Count(o => o.Status == HttpStatusCode.OK) >= 20,
            TimeSpan.FromSeconds(120),
            "503s after the kill, then 20 answers served again");
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        var all = outcomes.ToArray();
        Assert.All(all, o => Assert.Contains(o.Status, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.All(all.Where(o => o.Status == HttpStatusCode.ServiceUnavailable), o => Assert.True(o.RetryAfter, "a 503 without Retry-After"));
        Assert.All(all, o => Assert.True(o.Elapsed < TimeSpan.FromSeconds(30), $"a call took {o.Elapsed.TotalSeconds:F1} s"));
        Assert.Equal(1, tier.Restarts);
        Assert.NotEqual(killed, tier.ProcessId);
        var recovered = all.Where(o => o.Sequence > killedAt).SkipWhile(o => o.Status != HttpStatusCode.ServiceUnavailable).First(o => o.Status == HttpStatusCode.OK).At - killedTime;
        Console.WriteLine(FormattableString.Invariant(
            $"{all.Length} calls: {all.Count(o => o.Status == HttpStatusCode.OK)} served, {all.Count(o => o.Status == HttpStatusCode.ServiceUnavailable)} answered 503; slowest {all.Max(o => o.Elapsed).TotalMilliseconds:F0} ms; served again {recovered.TotalSeconds:F1} s after the kill"));
    }
}
