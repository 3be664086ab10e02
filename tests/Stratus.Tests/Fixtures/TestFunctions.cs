using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Stratus.Tests.Fixtures;

/// <summary>
/// Function classes written exactly as app functions are, hosted by the runner's durable and timer
/// machinery in tests (the app itself gains its orchestrations and timers in later issues).
/// </summary>
public sealed class TestFunctions
{
    public static ConcurrentQueue<TimerInfo> TimerCalls { get; } = new();

    [Function(nameof(TestSumOfSquares))]
    public static async Task<int> TestSumOfSquares([OrchestrationTrigger] TaskOrchestrationContext context, int[] numbers)
    {
        var squares = await Task.WhenAll(numbers.Select(n => context.CallActivityAsync<int>(nameof(TestSquare), n)));
        return squares.Sum();
    }

    [Function(nameof(TestSquare))]
    public int TestSquare([ActivityTrigger] int number) => number * number;

    [Function(nameof(TestWaitForEvent))]
    public static async Task<string> TestWaitForEvent([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var before = await context.CallActivityAsync<int>(nameof(TestSquare), 3);
        var payload = await context.WaitForExternalEvent<string>("go");
        return $"{before}:{payload}";
    }

    [Function(nameof(TestEverySecond))]
    public static void TestEverySecond([TimerTrigger("%Test:Schedule%")] TimerInfo timer) => TimerCalls.Enqueue(timer);
}
