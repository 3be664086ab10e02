using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Stratus.Tests.Fixtures;

/// <summary>
/// Function classes written exactly as app functions are, hosted by the runner's durable and timer
/// machinery in tests (the app itself gains its orchestrations and timers in later issues).
/// </summary>
public sealed class TestFunctions
{
    /// <summary>Each call of <see cref="TestEverySecond"/>, in order: a test reads them as they happen.</summary>
    public static Channel<TimerInfo> TimerCalls { get; } = Channel.CreateUnbounded<TimerInfo>();

    [Function(nameof(TestSumOfSquares))]
    public static async Task<int> TestSumOfSquares([OrchestrationTrigger] TaskOrchestrationContext context, int[] numbers)
    {
        var squares = await Task.WhenAll(numbers.Select(n => context.CallActivityAsync<int>(nameof(TestSquare), n)));
        return squares.Sum();
    }

    [Function(nameof(TestSquare))]
    public int TestSquare([ActivityTrigger] int number) => number * number;

    /// <summary>The custom status <see cref="TestWaitForEvent"/> stores once its activity is done and it waits for "go".</summary>
    public const string WaitingForGo = "waiting-for-go";

    [Function(nameof(TestWaitForEvent))]
    public static async Task<string> TestWaitForEvent([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var before = await context.CallActivityAsync<int>(nameof(TestSquare), 3);
        context.SetCustomStatus(WaitingForGo);
        var payload = await context.WaitForExternalEvent<string>("go");
        return $"{before}:{payload}";
    }

    /// <summary>How many times each slow activity call started (a lock that lapses would start it again).</summary>
    public static ConcurrentDictionary<string, int> SlowStarts { get; } = new();

    private static readonly ConcurrentDictionary<string, TaskCompletionSource> SlowStarted = new();

    /// <summary>Completes once the slow activity for <paramref name="key"/> has started (the first time).</summary>
    public static Task SlowStartedAsync(string key) => SlowStartedGate(key).Task;

    private static TaskCompletionSource SlowStartedGate(string key) =>
        SlowStarted.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    [Function(nameof(TestSlow))]
    public static Task<string> TestSlow([OrchestrationTrigger] TaskOrchestrationContext context, string key) =>
        context.CallActivityAsync<string>(nameof(TestSlowActivity), key);

    [Function(nameof(TestSlowActivity))]
    public async Task<string> TestSlowActivity([ActivityTrigger] string key)
    {
        SlowStarts.AddOrUpdate(key, 1, (_, n) => n + 1);
        SlowStartedGate(key).TrySetResult();
        await Task.Delay(TimeSpan.FromSeconds(9)); // the work itself: three visibility timeouts of real (storage) time
        return key;
    }

    [Function(nameof(TestEverySecond))]
    public static void TestEverySecond([TimerTrigger("%Test:Schedule%")] TimerInfo timer) => TimerCalls.Writer.TryWrite(timer);
}
