// Factors to each category's base unit (metre, gram); temperatures go through Celsius.
export const CATEGORIES = {
  length: {
    title: "Length",
    units: {
      millimeter: { label: "Millimeter (mm)", factor: 0.001 },
      centimeter: { label: "Centimeter (cm)", factor: 0.01 },
      meter: { label: "Meter (m)", factor: 1 },
      kilometer: { label: "Kilometer (km)", factor: 1000 },
      inch: { label: "Inch (in)", factor: 0.0254 },
      foot: { label: "Foot (ft)", factor: 0.3048 },
      yard: { label: "Yard (yd)", factor: 0.9144 },
      mile: { label: "Mile (mi)", factor: 1609.344 },
    },
  },
  weight: {
    title: "Weight",
    units: {
      milligram: { label: "Milligram (mg)", factor: 0.001 },
      gram: { label: "Gram (g)", factor: 1 },
      kilogram: { label: "Kilogram (kg)", factor: 1000 },
      ounce: { label: "Ounce (oz)", factor: 28.349523125 },
      pound: { label: "Pound (lb)", factor: 453.59237 },
    },
  },
  temperature: {
    title: "Temperature",
    units: {
      celsius: { label: "Celsius (°C)" },
      fahrenheit: { label: "Fahrenheit (°F)" },
      kelvin: { label: "Kelvin (K)" },
    },
  },
};

const toCelsius = { celsius: (v) => v, fahrenheit: (v) => ((v - 32) * 5) / 9, kelvin: (v) => v - 273.15 };
const fromCelsius = { celsius: (c) => c, fahrenheit: (c) => (c * 9) / 5 + 32, kelvin: (c) => c + 273.15 };

export function convert(category, value, from, to) {
  if (category === "temperature") return fromCelsius[to](toCelsius[from](value));
  const units = CATEGORIES[category].units;
  return (value * units[from].factor) / units[to].factor;
}
