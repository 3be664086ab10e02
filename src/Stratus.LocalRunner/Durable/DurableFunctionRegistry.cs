using Microsoft.DurableTask;
using Stratus.LocalRunner.Hosting;
using Stratus.Reliability.Recording;

namespace Stratus.LocalRunner.Durable;

/// <summary>
/// Registers the app's orchestrator and activity functions with the Durable Task worker under their
/// function names, so <c>CallActivityAsync("X")</c> and <c>ScheduleNewOrchestrationInstanceAsync("Y")</c>
/// resolve to the same methods as under the Functions host.
/// </summary>
public static partial class DurableFunctionRegistry
{
    public static void Register(DurableTaskRegistry registry, FunctionCatalog catalog, Func<IServiceProvider> services)
    {
        foreach (var function in catalog.Orchestrators)
        {
            var orchestrator = new FunctionOrchestrator(function, services);
            registry.AddOrchestrator(function.Name, () => orchestrator);
        }

        foreach (var function in catalog.Activities)
        {
            registry.AddActivity(function.Name, sp => new FunctionActivity(function, sp));
        }
    }

    /// <summary>
    /// An orchestrator function: the trigger parameter is the <see cref="TaskOrchestrationContext"/>, and, as in
    /// the Durable extension, the orchestration input binds to the first parameter without a binding attribute
    /// (which also tells the engine what type to deserialize the input to). Write orchestrators that way rather
    /// than with <c>context.GetInput&lt;T&gt;()</c>.
    /// </summary>
    private sealed class FunctionOrchestrator : ITaskOrchestrator
    {
        private readonly FunctionInvoker _invoker;
        private readonly FunctionMethod _function;
        private readonly Func<IServiceProvider> _services;

        public FunctionOrchestrator(FunctionMethod function, Func<IServiceProvider> services)
        {
            _function = function;
            _services = services;
            var input = function.Method.GetParameters().FirstOrDefault(p => !function.IsTrigger(p) && p.ParameterType != typeof(CancellationToken) && p.GetCustomAttributes(inherit: true).Length == 0);
            InputType = input?.ParameterType ?? typeof(object);
            _invoker = new FunctionInvoker(function, p => function.IsTrigger(p) ? c => ((OrchestratorCall)c.TriggerValue!).Context : p.Position == input?.Position ? c => ((OrchestratorCall)c.TriggerValue!).Input : null);
        }

        public Type InputType { get; }
        public Type OutputType => UnwrapTask(_function.Method.ReturnType);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) =>
            _invoker.InvokeAsync(new InvocationContext(_services(), CancellationToken.None) { TriggerValue = new OrchestratorCall(context, input) });

        private sealed record OrchestratorCall(TaskOrchestrationContext Context, object? Input);
    }

    /// <summary>
    /// An activity function: the trigger parameter is the activity input, deserialized to its declared type. Each run
    /// is logged with the instance that ran it, as the Functions host logs each execution with its role instance: with
    /// several runners on one task hub, that is where an activity ran.
    /// </summary>
    private sealed partial class FunctionActivity(FunctionMethod function, IServiceProvider services) : ITaskActivity
    {
        private readonly FunctionInvoker _invoker = new(function, p => function.IsTrigger(p) ? c => c.TriggerValue : null);
        // The host's clock and instance, as every hosted function gets them (a host that serves activities registers both).
        private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DurableFunctionRegistry).FullName!);
        private readonly TimeProvider _clock = services.GetRequiredService<TimeProvider>();
        private readonly string _instance = services.GetRequiredService<InstanceIdentity>().Id;

        public Type InputType => function.TriggerParameter.ParameterType;
        public Type OutputType => UnwrapTask(function.Method.ReturnType);

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var started = _clock.GetTimestamp();
            var outcome = "Failed";
            try
            {
                var result = await _invoker.InvokeAsync(new InvocationContext(services, CancellationToken.None) { TriggerValue = input });
                outcome = "Succeeded";
                return result;
            }
            finally
            {
                LogExecuted(function.Name, outcome, context.InstanceId, _instance, (long)_clock.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Executed activity {Activity} ({Outcome}) for {OrchestrationId} on instance {Instance} in {DurationMs} ms")]
        private partial void LogExecuted(string activity, string outcome, string orchestrationId, string instance, long durationMs);
    }

    private static Type UnwrapTask(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? type.GetGenericArguments()[0]
            : type == typeof(Task) || type == typeof(void) ? typeof(object) : type;
}
