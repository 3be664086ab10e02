using System.Diagnostics;
using System.Net.Http.Headers;

namespace Stratus.Benchmarks;

/// <summary>Closed-loop HTTP load: N connections, each sending the next request as soon as the last answered.</summary>
public static class LoadGenerator
{
    /// <summary>One endpoint under load: where it is and the key it wants.</summary>
    /// <param name="Pid">The serving process, when its CPU time per request should be measured too.</param>
    public sealed record Target(string Name, string Url, string Path, string? Key, int? Pid = null);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var target = new Target(options.Path, options.Url, options.Path, options.Key);
        foreach (var connections in options.Connections)
        {
            var result = await MeasureAsync(target, connections, options.Seconds, TimeSpan.FromSeconds(5));
            Report.Print(target.Name, connections, result.Ticks, options.Seconds, result.Errors);
        }

        return 0;
    }

    /// <summary>Warms the endpoint up (JIT tiering, caches), then measures closed-loop load for <paramref name="seconds"/>.</summary>
    public static async Task<(long[] Ticks, long Errors, double CpuSeconds)> MeasureAsync(Target target, int connections, int seconds, TimeSpan warmUp, byte[]? requestBody = null)
    {
        var body = requestBody ?? System.Text.Encoding.UTF8.GetBytes(BenchmarkOptions.Body);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(target.Url) };
        if (target.Key is not null)
        {
            client.DefaultRequestHeaders.Add("x-functions-key", target.Key);
        }

        async Task<bool> Send()
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(target.Path, content);
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode;
        }

        if (!await Send())
        {
            throw new InvalidOperationException($"{target.Url}{target.Path} does not answer 2xx");
        }

        await Loop(connections, warmUp, Send);
        var cpu = ProcessCpu.Seconds(target.Pid);
        var (ticks, errors) = await Loop(connections, TimeSpan.FromSeconds(seconds), Send);
        return (ticks, errors, ProcessCpu.Seconds(target.Pid) - cpu);
    }

    private static async Task<(long[] Ticks, long Errors)> Loop(int connections, TimeSpan duration, Func<Task<bool>> send)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long errors = 0;
        var perConnection = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>(1 << 16);
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                if (await send())
                {
                    mine.Add(Stopwatch.GetTimestamp() - start);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }

            return mine;
        })));
        return (perConnection.SelectMany(l => l).ToArray(), errors);
    }
}
