using System.Diagnostics.Tracing;
using Stratus.Core.Configuration;

namespace Stratus.Benchmarks;

/// <summary>
/// Where predict's allocations go, by type: the runtime's allocation-tick events (one per ~100 KB allocated, naming the
/// type that crossed it) while one client sends breast-cancer predicts to the runner in this process. The client's own
/// types (HttpClient, its content and headers) show up too and are marked as such by their namespaces.
/// </summary>
public static class AllocationProfile
{
    public static async Task<int> RunAsync(int requests, bool monitoring)
    {
        await using var host = await BenchmarkRunner.StartAsync("http://127.0.0.1:0", StratusServer.Key, new Dictionary<string, string?>
        {
            [OptionPaths.MonitoringEnabled.Key] = monitoring ? "true" : "false",
        });
        await StratusServer.RegisterBreastCancerAsync(host.Runner);
        using var client = new HttpClient { BaseAddress = host.Runner.BaseAddress };
        client.DefaultRequestHeaders.Add("x-functions-key", StratusServer.Key);
        var body = System.Text.Encoding.UTF8.GetBytes(BenchmarkOptions.Body);
        async Task SendAsync()
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await client.PostAsync("/api/models/breast-cancer/predict", content);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
        }

        // Warm for seconds: tiered JIT allocates differently before it settles.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(5))
        {
            await SendAsync();
        }

        using var listener = new AllocationListener();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < requests; i++)
        {
            await SendAsync();
        }

        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        listener.Dispose();
        Console.WriteLine(FormattableString.Invariant($"{requests:N0} predicts (monitoring {(monitoring ? "on" : "off")}): {total / (double)requests:N0} bytes allocated per request, server and client together"));
        var sampled = listener.Bytes.Values.Sum();
        foreach (var (type, bytes) in listener.Bytes.OrderByDescending(p => p.Value).Take(25))
        {
            Console.WriteLine(FormattableString.Invariant($"  {100.0 * bytes / sampled,5:F1} %  ~{total * (bytes / (double)sampled) / requests,6:N0} B/request  {type}"));
        }

        return 0;
    }

    private sealed class AllocationListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private const int AllocationTick = 10;

        public Dictionary<string, long> Bytes { get; } = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventId != AllocationTick || e.Payload is null || e.PayloadNames is null)
            {
                return;
            }

            var type = e.Payload[e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
            lock (Bytes)
            {
                Bytes[type] = Bytes.GetValueOrDefault(type) + amount;
            }
        }
    }
}
