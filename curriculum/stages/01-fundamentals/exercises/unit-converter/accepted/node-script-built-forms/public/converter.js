const panels = {
  length: `
    <form data-kind="length">
      <label>Length <input type="number" step="any" name="amount" required></label>
      <label>From <select name="from">
        <option value="mm">millimetres</option><option value="cm">centimetres</option>
        <option value="m">metres</option><option value="km">kilometres</option>
        <option value="in">inches</option><option value="ft">feet</option>
        <option value="yd">yards</option><option value="mi">miles</option>
      </select></label>
      <label>To <select name="to">
        <option value="mm">millimetres</option><option value="cm">centimetres</option>
        <option value="m">metres</option><option value="km">kilometres</option>
        <option value="in">inches</option><option value="ft">feet</option>
        <option value="yd">yards</option><option value="mi">miles</option>
      </select></label>
      <button>Convert</button>
    </form>`,
  weight: `
    <form data-kind="weight">
      <label>Weight <input type="number" step="any" name="amount" required></label>
      <label>From <select name="from">
        <option value="mg">milligrams</option><option value="g">grams</option><option value="kg">kilograms</option>
        <option value="oz">ounces</option><option value="lb">pounds</option>
      </select></label>
      <label>To <select name="to">
        <option value="mg">milligrams</option><option value="g">grams</option><option value="kg">kilograms</option>
        <option value="oz">ounces</option><option value="lb">pounds</option>
      </select></label>
      <button>Convert</button>
    </form>`,
  temperature: `
    <form data-kind="temperature">
      <label>Temperature <input type="number" step="any" name="amount" required></label>
      <label>From <select name="from">
        <option value="C">Celsius</option><option value="F">Fahrenheit</option><option value="K">Kelvin</option>
      </select></label>
      <label>To <select name="to">
        <option value="C">Celsius</option><option value="F">Fahrenheit</option><option value="K">Kelvin</option>
      </select></label>
      <button>Convert</button>
    </form>`,
};

function show(kind) {
  document.getElementById("panel").innerHTML = panels[kind];
  document.getElementById("answer").textContent = "";
}

document.addEventListener("click", (event) => {
  const tab = event.target.closest("[data-tab]");
  if (tab) show(tab.dataset.tab);
});

document.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const request = {
    kind: form.dataset.kind,
    amount: Number(form.amount.value),
    from: form.from.value,
    to: form.to.value,
  };
  const response = await fetch("/api/convert", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
  const answer = await response.json();
  document.getElementById("answer").textContent = answer.error
    ? answer.error
    : `${request.amount} ${request.from} = ${answer.result} ${request.to}`;
});

show("length");
