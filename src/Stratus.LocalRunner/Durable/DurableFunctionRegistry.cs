using Microsoft.DurableTask;
using Stratus.LocalRunner.Hosting;

namespace Stratus.LocalRunner.Durable;

/// <summary>
/// Registers the app's orchestrator and activity functions with the Durable Task worker under their
/// function names, so <c>CallActivityAsync("X")</c> and <c>ScheduleNewOrchestrationInstanceAsync("Y")</c>
/// resolve to the same methods as under the Functions host.
/// </summary>
public static class DurableFunctionRegistry
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

    /// <summary>An orchestrator function: the trigger parameter is the <see cref="TaskOrchestrationContext"/>; input comes from it.</summary>
    private sealed class FunctionOrchestrator(FunctionMethod function, Func<IServiceProvider> services) : ITaskOrchestrator
    {
        private readonly FunctionInvoker _invoker = new(function, p => p == function.TriggerParameter ? c => c.TriggerValue : null);

        public Type InputType => typeof(object);
        public Type OutputType => UnwrapTask(function.Method.ReturnType);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) =>
            _invoker.InvokeAsync(new InvocationContext(services(), CancellationToken.None) { TriggerValue = context });
    }

    /// <summary>An activity function: the trigger parameter is the activity input, deserialized to its declared type.</summary>
    private sealed class FunctionActivity(FunctionMethod function, IServiceProvider services) : ITaskActivity
    {
        private readonly FunctionInvoker _invoker = new(function, p => p == function.TriggerParameter ? c => c.TriggerValue : null);

        public Type InputType => function.TriggerParameter.ParameterType;
        public Type OutputType => UnwrapTask(function.Method.ReturnType);

        public Task<object?> RunAsync(TaskActivityContext context, object? input) =>
            _invoker.InvokeAsync(new InvocationContext(services, CancellationToken.None) { TriggerValue = input });
    }

    private static Type UnwrapTask(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? type.GetGenericArguments()[0]
            : type == typeof(Task) || type == typeof(void) ? typeof(object) : type;
}
