using System.Diagnostics;
using System.Net.Http.Headers;

namespace Stratus.Benchmarks;

/// <summary>Closed-loop HTTP load: N connections, each sending the next request as soon as the last answered.</summary>
public static class LoadGenerator
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(BenchmarkOptions.Body);
        foreach (var connections in options.Connections)
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(options.Url) };
            if (options.Key is not null)
            {
                client.DefaultRequestHeaders.Add("x-functions-key", options.Key);
            }

            async Task<bool> Send()
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync(options.Path, content);
                await response.Content.ReadAsByteArrayAsync();
                return response.IsSuccessStatusCode;
            }

            if (!await Send())
            {
                Console.Error.WriteLine($"{options.Url}{options.Path} does not answer 2xx");
                return 1;
            }

            // Warm-up, then measure.
            await Loop(connections, TimeSpan.FromSeconds(2), Send);
            var (ticks, errors) = await Loop(connections, TimeSpan.FromSeconds(options.Seconds), Send);
            Report.Print(options.Path, connections, ticks, options.Seconds, errors);
        }

        return 0;
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
